"""Localised copies of the English analytics.twitter.com exports: the header a Portuguese, Spanish, French or
German account gets, and that language's way of writing numbers. Written at test time (never committed).

Header sources: Portuguese is the header of a real export (`tweet_activity_metrics_<handle>_..._pt.csv`, as
read by a public analysis script: `id do Tweet, ..., horário, impressões, engajamentos, ..., favoritos, ...,
seguiram, ...` and the promoted columns `... promovido(a)(s)`); the French identification and figure columns
(`Identifiant du Tweet, Permalien du Tweet, Texte du Tweet, heure, impressions, engagements, Retweets,
réponses, J'aime`) likewise come from a real export's reader. The Spanish and German cells, and the French
cells not named above, follow the wording of the product's alias table (x_headers.py) because no real file
of those languages was found; they are marked `unverified` below.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

ENGLISH = ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements", "engagement rate",
           "retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks", "detail expands",
           "permalink clicks", "app opens", "app installs", "follows", "email tweet", "dial phone", "media views",
           "media engagements"]
PROMOTED = ENGLISH[4:]  # the 18 promoted columns repeat impressions .. media engagements

HEADERS: dict[str, list[str]] = {
    "pt": ["id do Tweet", "link permanente do Tweet", "texto do Tweet", "horário", "impressões", "engajamentos",
           "taxa de engajamento", "retweets", "respostas", "favoritos", "cliques no perfil do usuário:",
           "cliques no URL", "cliques em hashtags:", "expansões de detalhes:", "cliques no link permanente",
           "aberturas de aplicativos", "instalações de aplicativo:", "seguiram", "Tweet enviado por e-mail",
           "número de telefone discado", "visualizações da mídia", "engajamentos com mídia"],
    # unverified after `heure ... J'aime`
    "fr": ["Identifiant du Tweet", "Permalien du Tweet", "Texte du Tweet", "heure", "impressions", "engagements",
           "taux d'engagement", "Retweets", "réponses", "J'aime", "clics sur le profil de l'utilisateur",
           "clics sur l'URL", "clics sur les hashtags", "affichages des détails", "clics sur le permalien",
           "ouvertures d'application", "installations d'application", "abonnements",
           "envoyer le Tweet par e-mail", "composer le numéro", "vues du média", "interactions avec le média"],
    # unverified
    "es": ["ID del Tweet", "enlace permanente del Tweet", "texto del Tweet", "hora", "impresiones", "interacciones",
           "tasa de interacción", "retweets", "respuestas", "Me gusta", "clics en el perfil del usuario",
           "clics en URL", "clics en etiquetas", "ampliaciones del detalle", "clics en el enlace permanente",
           "aperturas de app", "instalaciones de app", "seguidores", "enviar Tweet por correo electrónico",
           "marcar número de teléfono", "visualizaciones de contenido multimedia",
           "interacciones con el contenido multimedia"],
    # unverified
    "de": ["Tweet-ID", "Tweet-Permalink", "Tweet-Text", "Zeit", "Impressionen", "Interaktionen", "Interaktionsrate",
           "Retweets", "Antworten", "Gefällt mir", "Klicks auf Nutzerprofil", "URL-Klicks", "Hashtag-Klicks",
           "Detailerweiterungen", "Permalink-Klicks", "App-Öffnungen", "App-Installationen", "Folgen",
           "Tweet per E-Mail senden", "Telefonnummer wählen", "Medienaufrufe", "Medieninteraktionen"],
}
PROMOTED_CELL = {"pt": "{} promovido(a)(s)", "fr": "{} sponsorisé(e)s", "es": "{} promocionadas",
                 "de": "{} (gesponsert)"}

NNBSP = "\u202f"


def _group(integer: str, sep: str) -> str:
    return re.sub(r"(?<=\d)(?=(\d{3})+$)", sep, integer)


def number(cell: str, lang: str) -> str:
    """An English export number ("1938.0", "0.0092", "0", "-") as the language writes it: Portuguese
    exports keep "1938.0" (the case of issue 12.1), Spanish writes "1938,0", French "1 938,0" (narrow
    no-break space), German "1.938,0"."""
    if not re.fullmatch(r"-?\d+(\.\d+)?", cell) or lang == "pt":
        return cell
    integer, _, decimals = cell.partition(".")
    sep = {"es": "", "fr": NNBSP, "de": "."}[lang]
    return _group(integer, sep) + ("," + decimals if decimals else "")


def localise(english: Path, lang: str, out_dir: Path) -> Path:
    """The English export rewritten in `lang`: header, numbers; same rows, same quoting (all cells quoted)."""
    with english.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ENGLISH + ["promoted " + c for c in PROMOTED]
    header = HEADERS[lang] + [PROMOTED_CELL[lang].format(c) for c in HEADERS[lang][4:]]
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in table[1:]:
        writer.writerow(row[:4] + [number(c, lang) for c in row[4:]])
    out = out_dir / english.name.replace("_en.csv", f"_{lang}.csv")
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out
