"""Words and number formats a partner manager reads, in English and French (issue 15 item 2); the ids
stay in the files and the URLs.

The one home of every word the portal and the Excel extract show: code-keyed vocabularies (tiers,
actions, requirements, statuses, levels, action explanations) in both languages, and `FRENCH`, the
French of every other English text (template strings, XLSX headers, the Read me sheet), looked up by
`text(english, lang)`. The program documents are French: French wording follows the guide's
(000_222c4728e680c2f1.txt, "Vue d'ensemble des conditions par niveau"). This module imports nothing
but the program settings, so the publication's XLSX writer shares it with the portal.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orchestration.program import PROGRAM

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

TIER_LABELS = {
    "not_in_program": "Not in program",
    "partner": "Partner",
    "rising": "Rising",
    "leading": "Leading",
    "premier": "Premier",
}
# The guide names the tiers PARTENAIRE, RISING, LEADING, PREMIER.
TIER_LABELS_FR = {
    "not_in_program": "Hors programme",
    "partner": "Partenaire",
    "rising": "Rising",
    "leading": "Leading",
    "premier": "Premier",
}

# rules.md A9. Row 4 is held *because* the partner is not in good standing (issue 15 item 4).
ACTION_LABELS = {
    "left_program": "Left the program",
    "not_in_program": "Not in program",
    "joined": "Joined",
    "upgrade_held_compliance": "Upgrade held (not in good standing)",
    "upgrade": "Upgrade",
    "upgrade_pending_poc_form": "Upgrade pending POC form",
    "upgrade_deferred_no_poc_form": "Upgrade deferred (no POC form)",
    "downgrade": "Downgrade",
    "downgrade_waived_2026": "Downgrade waived (2026)",
    "downgrade_not_in_window": "Downgrade not in window",
    "unchanged": "Unchanged",
}
ACTION_LABELS_FR = {
    "left_program": "A quitté le programme",
    "not_in_program": "Hors programme",
    "joined": "Entrée dans le programme",
    "upgrade_held_compliance": "Passage suspendu (conformité)",
    "upgrade": "Passage au niveau supérieur",
    "upgrade_pending_poc_form": "Passage en attente du formulaire POC",
    "upgrade_deferred_no_poc_form": "Passage reporté (pas de formulaire POC)",
    "downgrade": "Rétrogradation",
    "downgrade_waived_2026": "Rétrogradation levée (2026)",
    "downgrade_not_in_window": "Rétrogradation hors période",
    "unchanged": "Inchangé",
}

# rules.md A4
REQUIREMENT_LABELS = {
    "attached_mrr": "Attached MRR (12-month mean)",
    "influenced_mrr": "Influenced-deals MRR",
    "review_count": "Reviews in the window",
    "avg_rating": "Average rating",
    "live_listing": "Live app listing",
    "app_certification": "Certified app",
    "technical_contact": "Technical contact",
    "partnership_manager": "Partnership manager",
    "executive_sponsor": "Executive sponsor",
    "data_sharing": "Data-sharing method",
}
# The guide's row names ("Vue d'ensemble des conditions par niveau").
REQUIREMENT_LABELS_FR = {
    "attached_mrr": "MRR lié (moyenne sur 12 mois)",
    "influenced_mrr": "MRR des transactions influencées",
    "review_count": "Avis sur la marketplace (12 mois)",
    "avg_rating": "Évaluation sur la marketplace (moyenne)",
    "live_listing": "Listing de la marketplace en ligne",
    "app_certification": "Certification d'application",
    "technical_contact": "Référent technique et produit désigné",
    "partnership_manager": "Responsable des partenariats désigné",
    "executive_sponsor": "Sponsor exécutif désigné",
    "data_sharing": "Partage de données pour le mappage des comptes",
}
REQUIREMENT_SHORT = {
    "attached_mrr": "Attached MRR",
    "influenced_mrr": "Influenced MRR",
    "review_count": "Reviews",
    "avg_rating": "Rating",
    "live_listing": "Live listing",
    "app_certification": "Certification",
    "technical_contact": "Tech contact",
    "partnership_manager": "Partnership manager",
    "executive_sponsor": "Exec sponsor",
    "data_sharing": "Data sharing",
}
REQUIREMENT_SHORT_FR = {
    "attached_mrr": "MRR lié",
    "influenced_mrr": "MRR influencé",
    "review_count": "Avis",
    "avg_rating": "Évaluation",
    "live_listing": "Listing en ligne",
    "app_certification": "Certification",
    "technical_contact": "Référent technique",
    "partnership_manager": "Resp. partenariats",
    "executive_sponsor": "Sponsor exécutif",
    "data_sharing": "Partage de données",
}
MONEY_REQUIREMENTS = {"attached_mrr", "influenced_mrr"}
COUNT_REQUIREMENTS = {"review_count"}
RATING_REQUIREMENTS = {"avg_rating"}

STATUS_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "not_enforced": "Not enforced (2026)",
    "preferred_missing": "Preferred, missing",
}
STATUS_LABELS_FR = {
    "pass": "Atteint",
    "fail": "Non atteint",
    "not_enforced": "Pas encore exigé (2026)",
    "preferred_missing": "Préféré, manquant",
}
# The guide's marks: Obligatoire, Préféré; benefits: Considéré, Priorisé, ✓.
LEVEL_LABELS = {
    "required": "Required",
    "preferred": "Preferred",
    "considered": "Considered",
    "prioritized": "Prioritized",
    "guaranteed": "Guaranteed",
}
LEVEL_LABELS_FR = {
    "required": "Obligatoire",
    "preferred": "Préféré",
    "considered": "Considéré",
    "prioritized": "Priorisé",
    "guaranteed": "Garanti",
}

# rules.md A9, D11, D13: what each action means, in one sentence for the partner page and the extract.
ACTION_EXPLANATIONS = {
    "left_program": "Left the program: no live app listing on the evaluation date.",
    "not_in_program": "Not in the program: no live app listing on the evaluation date.",
    "joined": "Joined the program at {after} with its first live listing.",
    "upgrade_held_compliance": "Qualifies for a higher tier on performance but is not in good standing: "
    "the tier stays {after}.",
    "upgrade": "Moved up from {before} to {after}: it meets every requirement of {after}.",
    "upgrade_pending_poc_form": "Qualifies for {pending} on performance; the upgrade waits for a complete POC form "
    "(the form may arrive until {window_days} days after the evaluation date).",
    "upgrade_deferred_no_poc_form": "Qualified for {pending} on performance, but no complete POC form arrived within "
    "{window_days} days: the upgrade is deferred.",
    "downgrade": "Moved down from {before} to {after}: it no longer meets every requirement of {before}.",
    "downgrade_waived_2026": "Keeps {after} although it no longer meets all its requirements: downgrades are waived "
    "in 2026 (at risk).",
    "downgrade_not_in_window": "Keeps {after} although it no longer meets all its requirements: downgrades apply "
    "in January and July only (at risk).",
    "unchanged": "Stays {after}.",
}
ACTION_EXPLANATIONS_FR = {
    "left_program": "A quitté le programme : aucun listing d'application en ligne à la date d'évaluation.",
    "not_in_program": "Hors programme : aucun listing d'application en ligne à la date d'évaluation.",
    "joined": "Entré dans le programme au niveau {after} avec son premier listing en ligne.",
    "upgrade_held_compliance": "Atteint un niveau supérieur sur ses performances mais n'est pas en règle "
    "(remontée d'incidents « responsable ») : le niveau reste {after}.",
    "upgrade": "Passé de {before} à {after} : il remplit toutes les conditions du niveau {after}.",
    "upgrade_pending_poc_form": "Atteint {pending} sur ses performances ; le passage attend un formulaire POC "
    "complet (le formulaire peut arriver jusqu'à {window_days} jours après la date d'évaluation).",
    "upgrade_deferred_no_poc_form": "A atteint {pending} sur ses performances, mais aucun formulaire POC complet "
    "n'est arrivé sous {window_days} jours : le passage est reporté.",
    "downgrade": "Passé de {before} à {after} : il ne remplit plus toutes les conditions du niveau {before}.",
    "downgrade_waived_2026": "Garde {after} bien qu'il ne remplisse plus toutes ses conditions : pas de "
    "rétrogradation en 2026 (à risque).",
    "downgrade_not_in_window": "Garde {after} bien qu'il ne remplisse plus toutes ses conditions : les "
    "rétrogradations ont lieu en janvier et en juillet seulement (à risque).",
    "unchanged": "Reste {after}.",
}

_VOCABULARY = {
    "en": {
        "tier": TIER_LABELS,
        "action": ACTION_LABELS,
        "requirement": REQUIREMENT_LABELS,
        "requirement_short": REQUIREMENT_SHORT,
        "status": STATUS_LABELS,
        "level": LEVEL_LABELS,
        "explanation": ACTION_EXPLANATIONS,
    },
    "fr": {
        "tier": TIER_LABELS_FR,
        "action": ACTION_LABELS_FR,
        "requirement": REQUIREMENT_LABELS_FR,
        "requirement_short": REQUIREMENT_SHORT_FR,
        "status": STATUS_LABELS_FR,
        "level": LEVEL_LABELS_FR,
        "explanation": ACTION_EXPLANATIONS_FR,
    },
}

# The French of every other English text a partner manager reads (templates call `_("...")`, the
# Excel writer `text(...)`). tests/test_portal_language.py fails on a template string missing here.
FRENCH: dict[str, str] = {
    # the charts (chart.py)
    "{label} on {date}: {amount}": "{label} le {date} : {amount}",
    "No metric values for this partner.": "Aucune valeur d'indicateur pour ce partenaire.",
    # the portal's templates and pages (app.py)
    "(filtered from {n})": "(filtré parmi {n})",
    "1 day left": "1 jour restant",
    ":": " :",
    "; would fail today": " ; ne serait pas atteinte aujourd'hui",
    "Active": "Actif",
    "After": "Après",
    "All actions": "Toutes les actions",
    "All resolved: good standing returns on {date}; the first evaluation date from then on can upgrade it.": (
        "Toutes résolues : de nouveau en règle le {date} ; la première date d'évaluation à partir de là "
        "peut le faire passer au niveau supérieur."
    ),
    "All tiers": "Tous les niveaux",
    "Apply": "Appliquer",
    "At a glance": "En bref",
    "At risk of losing its tier": "Risque de perdre son niveau",
    "Attached MRR": "MRR lié",
    "Back to the publications": "Retour aux publications",
    "Before": "Avant",
    "Benefits of {tier}": "Avantages du niveau {tier}",
    "Blocked": "Bloqué",
    "Blocking": "Bloquant",
    (
        "Blocking checks (contract, reference, coverage, dbt tests of error severity) stop the "
        "publication; warnings are reported and never block."
    ): (
        "Les contrôles bloquants (contrat, références, couverture, tests dbt de sévérité error) arrêtent "
        "la publication ; les avertissements sont signalés et ne bloquent jamais."
    ),
    "Breadcrumb": "Fil d'Ariane",
    "Check": "Contrôle",
    "Current tier:": "Niveau actuel :",
    "Current version": "Version en vigueur",
    "Date": "Date",
    "Description": "Description",
    "Downloads": "Téléchargements",
    "Error": "Erreur",
    "Evaluated in the analytics snapshot but not published": "Évalué dans l'instantané analytique mais pas publié",
    "Fail": "Non atteint",
    "Failing rows": "Lignes en échec",
    "Feed": "Flux",
    "Files": "Fichiers",
    "Gate": "Contrôle qualité",
    "Gate of the current version:": "Contrôle qualité de la version en vigueur :",
    "Gate report · HTML": "Rapport de contrôle · HTML",
    "Gate report · Markdown": "Rapport de contrôle · Markdown",
    "Inactive": "Inactif",
    "Inactive until a complete POC form is on file for {tier}.": (
        "Inactifs tant qu'aucun formulaire POC complet n'est enregistré pour {tier}."
    ),
    "Influenced MRR": "MRR influencé",
    "Last data-quality gate": "Dernier contrôle qualité des données",
    "Last data-quality gate:": "Dernier contrôle qualité des données :",
    "Last gate report": "Dernier rapport de contrôle",
    "Commission statements": "Relevés de commissions",
    "Main": "Principal",
    "Manifest · JSON": "Manifeste · JSON",
    "Meets every blocking requirement of {tier} on performance, but the upgrade is held until good standing returns.": (
        "Remplit sur ses performances toutes les conditions bloquantes du niveau {tier}, mais le passage "
        "est suspendu jusqu'à ce qu'il soit de nouveau en règle."
    ),
    "Meets {tier}": "Remplit {tier}",
    "Met": "Atteint",
    "Metrics over time": "Indicateurs dans le temps",
    "Missing for next tier": "Manque pour le niveau suivant",
    "Needs partner-manager review": "À examiner par le responsable partenaires",
    "Next": "Suivant",
    "Next tier:": "Niveau suivant :",
    "No benefits recorded for this tier.": "Aucun avantage enregistré pour ce niveau.",
    "No benefits: the partner is not in the program.": "Aucun avantage : le partenaire n'est pas dans le programme.",
    "No history.": "Aucun historique.",
    "No partner matches": "Aucun partenaire ne correspond",
    "No requirement applies.": "Aucune condition ne s'applique.",
    "Not in good standing": "N'est pas en règle",
    "Not published": "Non publié",
    "Not recorded": "Non enregistré",
    "Not yet {tier}: 1 requirement missing.": "Pas encore {tier} : 1 condition manque.",
    "Not yet {tier}: {n} requirements missing.": "Pas encore {tier} : {n} conditions manquent.",
    "Nothing published yet": "Rien n'est encore publié",
    "One row per evaluation date (15 January, April, July and October). Open a date to see every partner's tier.": (
        "Une ligne par date d'évaluation (15 janvier, avril, juillet et octobre). Ouvrez une date pour "
        "voir le niveau de chaque partenaire."
    ),
    "POC form:": "Formulaire POC :",
    "POC forms may still arrive until {n} days after the date": (
        "Les formulaires POC peuvent encore arriver jusqu'à {n} jours après la date"
    ),
    "POC window": "Fenêtre POC",
    "POC window open until {date}": "Fenêtre POC ouverte jusqu'au {date}",
    "Page {page} of {pages}": "Page {page} sur {pages}",
    "Pages": "Pages",
    "Partner name or ID": "Nom ou ID du partenaire",
    "Partner portal": "Portail partenaires",
    "Partners": "Partenaires",
    "Pass": "Atteint",
    "Passed": "Réussi",
    "Passed, 1 warning": "Réussi, 1 avertissement",
    "Passed, {n} warnings": "Réussi, {n} avertissements",
    "Pending {tier}": "{tier} en attente",
    "Premier exception used": "Exception du niveau Premier utilisée",
    "Premier is the top tier: there is no next tier.": (
        "Premier est le niveau le plus élevé : il n'y a pas de niveau suivant."
    ),
    "Previous": "Précédent",
    "Publications": "Publications",
    "Published": "Publié",
    "Qualifies on performance:": "Niveau atteint sur les performances :",
    "Rating": "Évaluation",
    "Read the report": "Lire le rapport",
    "Read-only": "Lecture seule",
    "Reason": "Motif",
    "Requirements · CSV": "Exigences · CSV",
    "Requirements · Parquet": "Exigences · Parquet",
    "Reset": "Réinitialiser",
    "Responsible escalation(s) {ids}, the first opened on {date}.": (
        "Remontée(s) d'incidents « responsable(s) » {ids}, la première ouverte le {date}."
    ),
    "Reviews · average rating": "Avis · évaluation moyenne",
    "Run this command to evaluate and publish the tiers:": (
        "Lancez cette commande pour évaluer et publier les niveaux :"
    ),
    "Search": "Rechercher",
    "Severity": "Sévérité",
    "Shortfall": "Écart",
    "Showing {first}–{last} of {n} partner": "Partenaires {first} à {last} sur {n}",
    "Showing {first}–{last} of {n} partners": "Partenaires {first} à {last} sur {n}",
    "Source": "Source",
    "Status": "Statut",
    (
        "Technology Partner Program · tiers as published · every figure on these pages comes from the "
        "published extracts and the analytics snapshot."
    ): (
        "Technology Partner Program · niveaux tels que publiés · chaque chiffre de ces pages vient des "
        "extraits publiés et de l'instantané analytique."
    ),
    "Technology partner tiers": "Niveaux des partenaires technologiques",
    "Technology tier publications": "Publications des niveaux technologiques",
    "Technology tiers": "Niveaux technologiques",
    "The analytics snapshot is not available.": "L'instantané analytique n'est pas disponible.",
    "The quarter's published files; this partner is the row": (
        "Les fichiers publiés du trimestre ; ce partenaire est la ligne"
    ),
    "The report lists no check.": "Le rapport ne liste aucun contrôle.",
    "This portal only reads published files": "Ce portail ne fait que lire les fichiers publiés",
    "This version was published before the escalations were named in the extract.": (
        "Cette version a été publiée avant que l'extrait ne nomme les remontées d'incidents."
    ),
    "Tier change": "Changement de niveau",
    "Tier extract · CSV": "Extrait des niveaux · CSV",
    "Tier extract · Excel (English)": "Extrait des niveaux · Excel (anglais)",
    "Tier extract · Excel (French)": "Extrait des niveaux · Excel (français)",
    "Tier extract · Parquet": "Extrait des niveaux · Parquet",
    "Tier history": "Historique des niveaux",
    "Top tier": "Niveau le plus élevé",
    "Upgrade to {tier} held: not in good standing.": "Passage à {tier} suspendu : le partenaire n'est pas en règle.",
    "Version {n} (current of {total})": "Version {n} (en vigueur, sur {total})",
    "Version {n} (current)": "Version {n} (en vigueur)",
    "Versions of this date": "Versions de cette date",
    "Warning": "Avertissement",
    "alternative": "alternative",
    "at risk": "à risque",
    "closed; the next run publishes the final version": "fermée ; la prochaine exécution publie la version définitive",
    "closes today": "ferme aujourd'hui",
    "computed, not published": "calculé, non publié",
    "current": "en vigueur",
    "either one": "l'un ou l'autre",
    "enforced from {date}": "exigée à partir du {date}",
    "evaluated {date}": "évalué le {date}",
    "manifest": "manifeste",
    "met through the Premier exception": "atteinte par l'exception du niveau Premier",
    "moved down": "en baisse",
    "moved up": "en hausse",
    "needs review": "à examiner",
    "none on file": "aucun enregistré",
    "not met": "non atteint",
    "of {n}": "sur {n}",
    "or 90-day install MRR": "ou MRR des applications installées sous 90 jours",
    "or Premier exception (influenced-deals MRR)": "ou exception du niveau Premier (MRR des transactions influencées)",
    "or the Premier exception: influenced-deals MRR {value} of {threshold}": (
        "ou l'exception du niveau Premier : MRR des transactions influencées {value} sur {threshold}"
    ),
    "partners": "partenaires",
    "pending {tier}": "{tier} en attente",
    "published": "publié le",
    "published v{n}": "publiée v{n}",
    "recomputed today:": "recalculé aujourd'hui :",
    "run date": "date d'exécution",
    "sha256 of every file, inputs, code version": "sha256 de chaque fichier, entrées, version du code",
    "short by": "il manque",
    "the upgrade to {tier} is: {action}.": "le passage à {tier} : {action}.",
    "unchanged tier": "niveau inchangé",
    "version {n}": "version {n}",
    "written": "écrit le",
    "{name} is {tier}, the top tier.": "{name} est {tier}, le niveau le plus élevé.",
    "{n} certified": "{n} certifiées",
    "{n} checks": "{n} contrôles",
    "{n} days left": "{n} jours restants",
    "{n} rows": "{n} lignes",
    (
        "{n} still unresolved: good standing returns {days} days after the last one is resolved (an "
        "escalation counts until {lookback} days after its resolution)."
    ): (
        "{n} toujours non résolue(s) : le partenaire sera de nouveau en règle {days} jours après la "
        "résolution de la dernière (une remontée compte jusqu'à {lookback} jours après sa résolution)."
    ),
    "{tier} threshold {amount}": "Seuil {tier} {amount}",
    "{tier} threshold {amount} (above the chart)": "Seuil {tier} {amount} (au-dessus du graphique)",
    "{value} of {threshold} needed": "{value} sur {threshold} requis",
    "Influenced revenue": "Revenu influencé",
    "{title} of {name} by evaluation date": "{title} de {name} par date d'évaluation",
    "Page not found": "Page introuvable",
    "Method not allowed": "Méthode non autorisée",
    "Request failed": "La requête a échoué",
    "There is no page or published file at this address.": "Il n'y a ni page ni fichier publié à cette adresse.",
    "Something went wrong": "Un problème est survenu",
    "The page could not be built from the published files. The error has been logged.": (
        "La page n'a pas pu être construite à partir des fichiers publiés. L'erreur a été journalisée."
    ),
    # words and formats
    "Yes": "Oui",
    "No": "Non",
    "None": "Aucun",
    "Missing": "Manquant",
    "missing": "manquant",
    "{label}: {what}": "{label} : {what}",
    "{points} pts": "{points} pts",
    "{value} of {threshold}, short by {short}": "{value} sur {threshold}, il manque {short}",
    "{value} of {threshold}": "{value} sur {threshold}",
    "or 90-day install MRR {value} of {threshold}": "ou MRR des applications installées sous 90 jours {value} sur "
    "{threshold}",
    "{ids} since {since}": "{ids} depuis le {since}",
    "{n} unresolved": "{n} non résolue(s)",
    "Meets every blocking requirement of {tier}": "Remplit toutes les conditions bloquantes du niveau {tier}",
    "Final": "Définitive",
    "POC window open": "Fenêtre POC ouverte",
    # the Excel extract (defs/publication/workbook.py)
    "Technology partner tiers · {date} · version {version}": "Niveaux des partenaires technologiques · {date} · "
    "version {version}",
    "Page &P of &N": "Page &P sur &N",
    "Tiers": "Niveaux",
    "Requirements": "Exigences",
    "Read me": "Lisez-moi",
    "Evaluation date": "Date d'évaluation",
    "Version": "Version",
    "Run date": "Date d'exécution",
    "Data-quality gate": "Contrôle qualité des données",
    "Code version": "Version du code",
    "Language": "Langue",
    "The raw codes, the snake_case columns and every number are in tier_extract.csv and .parquet.": "Les codes "
    "bruts, les colonnes snake_case et tous les nombres sont dans tier_extract.csv et .parquet.",
    "Column": "Colonne",
    "Sheet": "Feuille",
    "Meaning": "Signification",
    "Rules (rules.md)": "Règles (rules.md)",
    "Code in the CSV": "Code dans le CSV",
    "Kind": "Nature",
    "Label": "Libellé",
    "Tier": "Niveau",
    "Action": "Action",
    "Result": "Résultat",
    "Its own threshold": "Son propre seuil",
    "90-day install MRR": "MRR des applications installées sous 90 jours",
    "Premier exception": "Exception du niveau Premier",
    "Partner ID": "ID partenaire",
    "The technology partner's id (the CSV's partner_id).": "Identifiant du partenaire technologique (partner_id "
    "du CSV).",
    "Partner": "Partenaire",
    "The partner's name.": "Nom du partenaire.",
    "Tier before": "Niveau avant",
    "Tier in force before the evaluation date.": "Niveau en vigueur avant la date d'évaluation.",
    "Tier after": "Niveau après",
    "Tier from the evaluation date on.": "Niveau à partir de la date d'évaluation.",
    "What happened to the tier.": "Ce qui est arrivé au niveau.",
    "Why": "Pourquoi",
    "The action in one sentence.": "L'action en une phrase.",
    "Qualifies on performance": "Niveau atteint sur les performances",
    "Highest tier whose metric and program requirements pass, the POC form aside.": "Niveau le plus élevé dont "
    "les objectifs et les conditions du programme sont remplis, hors formulaire POC.",
    "Qualifies with its POC form": "Niveau atteint avec le formulaire POC",
    "Highest tier it fully qualifies for.": "Niveau le plus élevé dont il remplit toutes les conditions.",
    "Pending tier": "Niveau en attente",
    "Tier reached on performance, waiting for the POC form.": "Niveau atteint sur les performances, en attente "
    "du formulaire POC.",
    "In good standing": "En règle",
    "No responsible escalation open or recent.": "Aucune remontée d'incidents « responsable » actuelle ou récente.",
    "Escalations holding it": "Remontées d'incidents en cause",
    "The responsible escalations breaking good standing, since when, and how many are unresolved.": "Les "
    "remontées d'incidents « responsables » en cause, depuis quand, et combien ne sont pas résolues.",
    "Good standing returns on": "De nouveau en règle le",
    "First date the escalations stop counting: last resolution + lookback + 1 day (blank while one is open).": (
        "Première date où les remontées ne comptent plus : dernière résolution + période de référence + 1 jour "
        "(vide tant qu'une remontée est ouverte)."
    ),
    "Needs review": "À examiner",
    "Flagged for partner-manager review.": "Signalé pour examen par le responsable partenaires.",
    "At risk": "À risque",
    "Keeps a tier whose requirements it no longer meets.": "Garde un niveau dont il ne remplit plus les conditions.",
    "Premier reached through the exception.": "Premier atteint par l'exception.",
    "Attached MRR (12-month mean)": "MRR lié (moyenne sur 12 mois)",
    "Mean monthly attached MRR over W.": "MRR lié mensuel moyen sur W.",
    "MRR of portals installing within 90 days.": "MRR des portails ayant installé sous 90 jours.",
    "Influenced-deals MRR": "MRR des transactions influencées",
    "MRR of influenced deals over W.": "MRR des transactions influencées sur W.",
    "Reviews": "Avis",
    "Marketplace reviews over W.": "Avis sur la marketplace sur W.",
    "Average rating": "Évaluation moyenne",
    "Mean marketplace rating over W.": "Évaluation moyenne sur la marketplace sur W.",
    "Live apps": "Applications en ligne",
    "Apps listed on the evaluation date.": "Applications listées à la date d'évaluation.",
    "Certified live apps": "Applications en ligne certifiées",
    "Live apps certified on the date.": "Applications en ligne certifiées à la date.",
    "POC form received": "Formulaire POC reçu",
    "Date of the POC form used.": "Date du formulaire POC retenu.",
    "Next tier": "Niveau suivant",
    "The tier above the tier after (blank at Premier).": "Le niveau au-dessus du niveau après (vide pour Premier).",
    "Missing for the next tier": "Manque pour le niveau suivant",
    "Each blocking requirement of the next tier: value, threshold, gap.": "Chaque condition bloquante du niveau "
    "suivant : valeur, seuil, écart.",
    "Attached MRR short by": "MRR lié manquant",
    "Attached MRR still missing.": "MRR lié qui manque encore.",
    "Influenced MRR short by": "MRR influencé manquant",
    "Influenced-deals MRR missing.": "MRR des transactions influencées qui manque.",
    "Reviews short by": "Avis manquants",
    "Reviews still missing.": "Avis qui manquent encore.",
    "Rating short by": "Évaluation manquante",
    "Rating points still missing.": "Points d'évaluation qui manquent encore.",
    "Benefits of the tier": "Avantages du niveau",
    "Benefits of the tier after, level, qualifier.": "Avantages du niveau après, degré, précision.",
    "Benefits active": "Avantages actifs",
    "False while the tier's POC form is incomplete.": "Non tant que le formulaire POC du niveau est incomplet.",
    "Tier the requirement belongs to.": "Niveau auquel appartient la condition.",
    "Requirement": "Condition",
    "The requirement, in the guide's words.": "La condition, dans les termes du guide.",
    "Level": "Degré",
    "Required or preferred.": "Obligatoire ou préféré.",
    "Value": "Valeur",
    "The partner's value, in the requirement's unit.": "La valeur du partenaire, dans l'unité de la condition.",
    "Threshold": "Seuil",
    "The tier's threshold (at least).": "Le seuil du niveau (au moins).",
    "Pass, fail, not enforced yet, or preferred and missing.": "Atteint, non atteint, pas encore exigé, ou "
    "préféré et manquant.",
    "Short by": "Écart",
    "Threshold minus value when it fails.": "Seuil moins valeur quand la condition n'est pas atteinte.",
    "Decided by": "Décidé par",
    "The branch whose value and threshold are shown.": "La voie dont la valeur et le seuil sont affichés.",
    "Enforced from": "Exigé à partir du",
    "First date the requirement is enforced.": "Première date où la condition est exigée.",
}


def language(lang: str | None) -> str:
    """A supported language code; anything else is the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text(english: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """`english` in `lang` (the English itself when no French is recorded, so a gap shows, not a blank)."""
    return FRENCH.get(english, english) if language(lang) == "fr" else english


def _word(kind: str, code: str, lang: str) -> str:
    return _VOCABULARY[language(lang)][kind].get(code, code)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _grouped(amount: str, lang: str) -> str:
    """'1,234.56' in French typography: '1 234,56' (narrow no-break space, decimal comma)."""
    return amount.replace(",", "\u202f").replace(".", ",") if language(lang) == "fr" else amount


def money(v: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    if _missing(v):
        return "—"
    amount = _grouped(f"{Decimal(str(v)).quantize(Decimal('0.01')):,}", lang)
    return f"{amount}\u00a0$" if language(lang) == "fr" else f"${amount}"


def number(v: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    if _missing(v):
        return "—"
    f = float(v)
    return _grouped(f"{int(f):,}" if f.is_integer() else f"{f:,.2f}", lang)


def rating(v: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    return "—" if _missing(v) else _grouped(f"{float(v):.2f}", lang)


MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


MONTHS_FR_SHORT = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def long_date(d: date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    if d is None:
        return "—"
    if language(lang) == "fr":
        return f"{'1er' if d.day == 1 else d.day} {MONTHS_FR[d.month - 1]} {d.year}"
    return f"{d.day} {d:%B %Y}"


def short_date(d: date | None) -> str:
    return "—" if d is None else d.isoformat()


def timestamp(text: str | datetime | None) -> str:
    if not text:
        return "—"
    try:
        t = text if isinstance(text, datetime) else datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return t.strftime("%Y-%m-%d %H:%M UTC")


def tier_label(t: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    return text("None", lang) if t is None else _word("tier", t, lang)


def action_label(a: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    return "—" if a is None else _word("action", a, lang)


def requirement_label(r: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return _word("requirement", r, lang)


def requirement_short(r: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return _word("requirement_short", r, lang)


def status_label(s: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return _word("status", s, lang)


def level_label(s: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    return "—" if not s else _word("level", s, lang)


def yes_no(v: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    return "" if _missing(v) else text("Yes" if v else "No", lang)


def requirement_value(v: Any, requirement: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A value or threshold in the requirement's unit: USD, a count, a rating, or yes/no."""
    if _missing(v):
        return "—"
    if requirement in MONEY_REQUIREMENTS:
        return money(v, lang)
    if requirement in COUNT_REQUIREMENTS:
        return number(v, lang)
    if requirement in RATING_REQUIREMENTS:
        return rating(v, lang)
    return yes_no(float(v) >= 1, lang)


def byte_size(n: Any) -> str:
    if _missing(n):
        return "—"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def shortfall_value(v: Any, requirement: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What is missing: an amount, a count, rating points, or the yes/no requirement itself."""
    if _missing(v):
        return ""
    if requirement in MONEY_REQUIREMENTS:
        return money(v, lang)
    if requirement in COUNT_REQUIREMENTS:
        return number(v, lang)
    if requirement in RATING_REQUIREMENTS:
        return text("{points} pts", lang).format(points=rating(v, lang))
    return text("Missing", lang)


def action_explanation(
    action: str | None, before: str | None, after: str | None, pending: str | None, lang: str = DEFAULT_LANGUAGE
) -> str:
    template = _VOCABULARY[language(lang)]["explanation"].get(action or "", "")
    return template.format(
        before=tier_label(before, lang),
        after=tier_label(after, lang),
        pending=tier_label(pending, lang),
        window_days=PROGRAM.poc_form_window_days,  # rules.md A7/D10
    )


# ---------------------------------------------------------------------------------------------
# Solutions commission statements (issue 15 item 3). The outcome of a line not credited comes in
# words from the published file (seeds/solutions_deal_line_outcomes.csv), not from here.

COMMISSION_PROGRAM_LABELS = {  # rules.md B9, D20, D21
    "standard": "Partner-originated deal",
    "enterprise_referral": "Enterprise referral",
}
PARTNER_ROLE_LABELS = {  # feeds.md deal_partners.role
    "originator": "Originator",
    "invited": "Invited",
    "recommended_by_originator": "Recommended by the originator",
}


def commission_program_label(p: str | None) -> str:
    return "—" if not p else COMMISSION_PROGRAM_LABELS.get(p, p)


def partner_role_label(r: str | None) -> str:
    return "—" if not r else PARTNER_ROLE_LABELS.get(r, r)


def product_line_label(line: str | None) -> str:
    """`marketing_hub` -> Marketing Hub (rules.md B1's ids, read as words)."""
    return "—" if not line else line.replace("_", " ").title()


def percent(v: Any) -> str:
    return "—" if _missing(v) else f"{float(v) * 100:g} %"


def month_label(d: date | None) -> str:
    return "—" if d is None else f"{d:%B %Y}"
