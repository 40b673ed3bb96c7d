"""Header aliases of analytics.twitter.com exports: localised header cells -> one canonical key.

One reader serves every language: a new locale is new rows in ALIASES, never a new reader. Keys are compared
without accents, case and a trailing colon (`cliques no perfil do usuário:` == `cliques no perfil do usuario`).
The header's language says nothing about how numbers are written: decimal marks are decided from the values
(`sources.sqlfuncs.Numbers`).
"""

from __future__ import annotations

import unicodedata

from strategyfirst.sources.base import normalise_column

# canonical key: header cells seen in exports (English, Portuguese, Spanish, French, German).
ALIASES: dict[str, tuple[str, ...]] = {
    "tweet_id": ("Tweet id", "id do Tweet", "ID del Tweet", "identifiant du Tweet", "ID des Tweets", "Tweet-ID"),
    "permalink": ("Tweet permalink", "link permanente do Tweet", "enlace permanente del Tweet",
                  "permalien du Tweet", "Permalink des Tweets", "Tweet-Permalink"),
    "text": ("Tweet text", "texto do Tweet", "texto del Tweet", "texte du Tweet", "Text des Tweets",
             "Tweet-Text"),
    "time": ("time", "hora", "horário", "heure", "Zeit", "Uhrzeit"),
    "date": ("Date", "Data", "Fecha", "Datum"),
    "tweets_published": ("Tweets published", "Tweets publicados", "Tweets publiés", "Veröffentlichte Tweets"),
    "impressions": ("impressions", "impressões", "impresiones", "Impressionen"),
    "engagements": ("engagements", "engajamentos", "interações", "interacciones", "interactions",
                    "Interaktionen"),
    "engagement_rate": ("engagement rate", "taxa de engajamento", "taxa de envolvimento", "tasa de interacción",
                        "taux d'engagement", "Interaktionsrate"),
    "retweets": ("retweets", "Retweets"),
    "replies": ("replies", "respostas", "respuestas", "réponses", "Antworten"),
    "likes": ("likes", "favoritos", "curtidas", "me gusta", "Me gusta", "j'aime", "Gefällt mir", "Gefällt-mir",
              "Gefällt-mir-Angaben", "favorites", "favoris"),
    "profile_clicks": ("user profile clicks", "cliques no perfil do usuário", "clics en el perfil del usuario",
                       "clics sur le profil de l'utilisateur", "clics sur le profil", "Klicks auf Nutzerprofil",
                       "Klicks aufs Nutzerprofil"),
    "url_clicks": ("url clicks", "cliques em URL", "cliques no URL", "clics en URL", "clics en el URL",
                   "clics sur l'URL", "clics sur URL", "URL-Klicks"),
    "hashtag_clicks": ("hashtag clicks", "cliques em hashtags", "clics en etiquetas", "clics en hashtags",
                       "clics sur les hashtags", "clics sur hashtag", "Hashtag-Klicks"),
    "detail_expands": ("detail expands", "expansões de detalhes", "ampliaciones del detalle",
                       "ampliaciones de detalles",
                       "affichages des détails", "Detailerweiterungen"),
    "permalink_clicks": ("permalink clicks", "cliques no link permanente", "clics en el enlace permanente",
                         "clics sur le permalien", "Permalink-Klicks"),
    "app_opens": ("app opens", "aberturas de aplicativos", "aperturas de app", "ouvertures d'application",
                  "App-Öffnungen"),
    "app_installs": ("app installs", "instalações de aplicativo", "instalaciones de app", "instalaciones de apps",
                     "installations d'application", "App-Installationen"),
    "follows": ("follows", "seguiram", "seguimentos", "seguidores", "seguimientos", "nuevos seguidores",
                "abonnements", "abonnés", "Folgen", "Follower", "neue Follower"),
    "unfollows": ("unfollows", "deixar de seguir", "dejar de seguir", "désabonnements", "Entfolgen"),
    "email_tweet": ("email tweet", "enviar Tweet por e-mail", "Tweet enviado por e-mail",
                    "enviar Tweet por correo electrónico",
                    "envoyer le Tweet par e-mail", "Tweet per E-Mail senden"),
    "dial_phone": ("dial phone", "discar número de telefone", "número de telefone discado",
                   "marcar número de teléfono", "composer le numéro",
                   "Telefonnummer wählen"),
    "media_views": ("media views", "visualizações de mídia", "visualizações da mídia",
                    "visualizaciones de contenido multimedia",
                    "vues du média", "Medienaufrufe"),
    "media_engagements": ("media engagements", "engajamentos com a mídia", "engajamentos com mídia",
                          "interacciones con el contenido multimedia", "interactions avec le média",
                          "Medieninteraktionen"),
    "spend": ("promoted spend", "spend", "gasto", "gastos", "dépenses", "Ausgaben", "custo", "investimento"),
}

# Each key as the English export writes it ('permalink': 'Tweet permalink'), for messages and `sources`.
ENGLISH: dict[str, str] = {key: cells[0] for key, cells in ALIASES.items()}
# Every key a header cell can map to, promoted ones included: the columns of an export, read or not.
KNOWN: frozenset[str] = frozenset((*ALIASES, *(f"promoted_{key}" for key in ALIASES)))


def fold(cell: str) -> str:
    """Header cell compared loosely: lower case, no accents, single spaces, no trailing colon."""
    text = unicodedata.normalize("NFKD", normalise_column(cell))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).rstrip(":").replace(": ", " ").strip()


_LOOKUP: dict[str, str] = {fold(cell): key for key, cells in ALIASES.items() for cell in cells}


def _one(cell: str) -> str:
    folded = fold(cell)
    for prefix, mark in (("promoted ", "promoted_"), ("promovido ", "promoted_"), ("promovidos ", "promoted_"),
                         ("promocionado ", "promoted_"), ("sponsorise ", "promoted_")):
        if folded.startswith(prefix) and folded not in _LOOKUP:
            inner = _LOOKUP.get(folded.removeprefix(prefix))
            return mark + inner if inner else folded
    # "impressões promovidas", "impresiones promocionadas": promoted as a suffix.
    for suffix in (" promovido(a)(s)", " promovidas", " promovidos", " promovida", " promovido", " promocionadas",
                   " promocionados", " sponsorisees", " sponsorises"):
        if folded.endswith(suffix):
            inner = _LOOKUP.get(folded.removesuffix(suffix))
            if inner:
                return "promoted_" + inner
    return _LOOKUP.get(folded, folded)


def canonical_header(header: list[str]) -> list[str]:
    """The canonical key of every header cell (unknown cells stay folded)."""
    return [_one(cell) for cell in header]

