"""Follow anything a module marks followable, and be told when it moves.

services.py   follow, unfollow, announce, mark read, unsubscribe (every write)
selectors.py  is_following, follows_for, followers_of, a person's notifications (every read)
tokens.py     the signed one-click unsubscribe tokens
email.py      building and sending the e-mails (called by the tasks in tinget.core.tasks)
views.py      the notifications pages, the follow button's endpoint and the unsubscribe page
"""
