# ruff: noqa: E501  (platform descriptions are kept verbatim, one per line)
"""Column sets of the real export formats the simulator writes (names as the platforms export them).

Taken from the real files described in ../shared/data/PROVENANCE.md: the analytics.twitter.com tweet export
(English header) and the Facebook Page Insights post-level export with its second row of descriptions
(the 93-column layout of 2015). Duplicate names are the platform's own.
"""

from __future__ import annotations

TWCS_COLUMNS: tuple[str, ...] = (
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id",
)

X_ANALYTICS_COLUMNS: tuple[str, ...] = (
    "Tweet id",
    "Tweet permalink",
    "Tweet text",
    "time",
    "impressions",
    "engagements",
    "engagement rate",
    "retweets",
    "replies",
    "likes",
    "user profile clicks",
    "url clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
    "app installs",
    "follows",
    "email tweet",
    "dial phone",
    "media views",
    "media engagements",
    "promoted impressions",
    "promoted engagements",
    "promoted engagement rate",
    "promoted retweets",
    "promoted replies",
    "promoted likes",
    "promoted user profile clicks",
    "promoted url clicks",
    "promoted hashtag clicks",
    "promoted detail expands",
    "promoted permalink clicks",
    "promoted app opens",
    "promoted app installs",
    "promoted follows",
    "promoted email tweet",
    "promoted dial phone",
    "promoted media views",
    "promoted media engagements",
)

_INTERVAL = "Lifetime Percentage of viewers at each interval (video post) - "
_INTERVAL_HELP = (
    "Lifetime: Views of your video at each moment as a percentage of all views, including views shor"
    "ter than 3 seconds. (video post) (Total Count)"
)

# (column name, description in the second row); the 41 interval columns are inserted after "Lifetime Video length".
_FB_BEFORE: tuple[tuple[str, str], ...] = (
    ('Post ID', ''),
    ('Permalink', ''),
    ('Post Message', ''),
    ('Type', ''),
    ('Countries', ''),
    ('Languages', ''),
    ('Posted', ''),
    ('Audience Targeting', ''),
    ('Lifetime Post Total Reach', 'Lifetime: The total number of people your Page post was served to. (Unique Users)'),
    ('Lifetime Post organic reach', "Lifetime: The number of people who saw your Page post in news feed or ticker, or on your Page's timeline. (Unique Users)"),
    ('Lifetime Post Paid Reach', 'Lifetime: The number of people your advertised Page post was served to. (Unique Users)'),
    ('Lifetime Post Total Impressions', 'Lifetime: The number of impressions of your Page post. (Total Count)'),
    ('Lifetime Post Organic Impressions', "Lifetime: The number of impressions of your post in News Feed or ticker or on your Page's Timeline. (Total Count)"),
    ('Lifetime Post Paid Impressions', 'Lifetime: The number of impressions of your Page post in an Ad or Sponsored Story. (Total Count)'),
    ('Lifetime Engaged Users', 'Lifetime: The number of people who clicked anywhere in your posts. (Unique Users)'),
    ('Lifetime Talking About This (Post) by action type - comment', 'Lifetime: The number of unique people who created a story about your Page post by interacting with it. (Unique Users)'),
    ('Lifetime Talking About This (Post) by action type - like', ''),
    ('Lifetime Talking About This (Post) by action type - other', ''),
    ('Lifetime Talking About This (Post) by action type - share', ''),
    ('Lifetime Post Stories by action type - comment', 'Lifetime: The number of stories created about your Page post, by action type. (Total Count)'),
    ('Lifetime Post Stories by action type - like', ''),
    ('Lifetime Post Stories by action type - other', ''),
    ('Lifetime Post Stories by action type - share', ''),
    ('Lifetime Post Consumers', 'Lifetime: The number of people who clicked anywhere in your post. (Unique Users)'),
    ('Lifetime Post Consumptions', 'Lifetime: The number of clicks anywhere in your post. (Total Count)'),
    ('Lifetime Post consumers by type - link clicks', 'Lifetime: The number of people who clicked anywhere in your post, by type. (Unique Users)'),
    ('Lifetime Post consumers by type - other clicks', ''),
    ('Lifetime Post consumers by type - photo view', ''),
    ('Lifetime Post consumers by type - video play', ''),
    ('Lifetime Post Consumptions by type - link clicks', 'Lifetime: The number of clicks anywhere in your post, by type. (Total Count)'),
    ('Lifetime Post Consumptions by type - other clicks', ''),
    ('Lifetime Post Consumptions by type - photo view', ''),
    ('Lifetime Post Consumptions by type - video play', ''),
    ('Lifetime Negative feedback', 'Lifetime: The number of people who have given negative feedback to your post. (Unique Users)'),
    ('Lifetime Negative Feedback from Users', 'Lifetime: The number of times people have given negative feedback to your post. (Total Count)'),
    ('Lifetime Negative feedback - hide_all_clicks', 'Lifetime: The number of people who have given negative feedback to your post, by type. (Unique Users)'),
    ('Lifetime Negative Feedback from Users by Type - hide_all_clicks', 'Lifetime: The number of times people have given negative feedback to your post, by type. (Total Count)'),
    ('Lifetime Post Impressions by people who have liked your Page', 'Lifetime: The number of impressions of your Page post to people who have liked your Page. (Total Count)'),
    ('Lifetime Post reach by people who like your Page', "Lifetime: The number of people who saw your Page post because they've liked your Page (Unique Users)"),
    ('Lifetime Post Paid Impressions by people who have liked your Page', 'Lifetime: The number of paid impressions of your Page post to people who have liked your Page. (Total Count)'),
    ('Lifetime Paid reach of a post by people who like your Page', 'Lifetime: The number of people who like your Page and who saw your Page post in an ad or sponsored story. (Unique Users)'),
    ('Lifetime People who have liked your Page and engaged with your post', 'Lifetime: The number of people who have liked your Page and clicked anywhere in your posts. (Unique Users)'),
    ('Lifetime Average time video viewed', 'Lifetime: Average time video viewed (Total Count)'),
    ('Lifetime Organic views to 95%', 'Lifetime: Number of times your video was viewed to 95% of its length without any paid promotion. (Total Count)'),
    ('Lifetime Organic views to 95%', 'Lifetime: Number of times your video was viewed to 95% of its length without any paid promotion. (Unique Users)'),
    ('Lifetime Paid views to 95%', 'Lifetime: Number of times your video was viewed to 95% of its length after paid promotion. (Total Count)'),
    ('Lifetime Paid views to 95%', 'Lifetime: Number of times your video was viewed to 95% of its length after paid promotion. (Unique Users)'),
    ('Lifetime Video length', 'Lifetime: Length of a video post (Total Count)'),
)
_FB_AFTER: tuple[tuple[str, str], ...] = (
    ('Lifetime Organic Video Views', 'Lifetime: Number of times your video was viewed for more than 3 seconds without any paid promotion. (Total Count)'),
    ('Lifetime Organic Video Views', 'Lifetime: Number of times your video was viewed for more than 3 seconds without any paid promotion. (Unique Users)'),
    ('Lifetime Paid Video Views', 'Lifetime: Number of times your video was viewed more than 3 seconds after paid promotion. (Total Count)'),
    ('Lifetime Paid Video Views', 'Lifetime: Number of times your video was viewed more than 3 seconds after paid promotion. (Unique Users)'),
)
FB_POST_COLUMNS: tuple[tuple[str, str], ...] = (
    *_FB_BEFORE,
    *((f"{_INTERVAL}{i}", _INTERVAL_HELP if i == 0 else "") for i in range(41)),
    *_FB_AFTER,
)
