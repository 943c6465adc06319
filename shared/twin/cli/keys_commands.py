"""`twin keys create|list|revoke` and `twin profile show|set|list`."""

from __future__ import annotations

import argparse
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, twin_id_from


def register(subparsers: Any) -> None:
    keys = subparsers.add_parser("keys", help="API keys for the HTTP API")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="SUBCOMMAND")
    create = keys_sub.add_parser("create", help="create a key (printed once, stored hashed)")
    add_twin_flag(create)
    create.add_argument("--scopes", default="ingest,chat", help="comma-separated: ingest, chat")
    create.add_argument("--name", default="", help="a label to recognise the key by")
    add_json_flag(create)
    create.set_defaults(handler=_create)
    listing = keys_sub.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--twin", dest="twin_id", default=None)
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_revoke)

    profile = subparsers.add_parser("profile", help="the twin's display name and persona")
    profile_sub = profile.add_subparsers(dest="profile_command", required=True, metavar="SUBCOMMAND")
    show = profile_sub.add_parser("show", help="show a twin's profile")
    add_twin_flag(show)
    add_json_flag(show)
    show.set_defaults(handler=_profile_show)
    set_ = profile_sub.add_parser("set", help="set display name and/or persona")
    add_twin_flag(set_)
    set_.add_argument("--name", dest="display_name", default=None, help="display name, e.g. 'Ada Lovelace'")
    set_.add_argument("--persona", default=None, help="short persona/tone, e.g. 'warm, precise, a little dry'")
    set_.add_argument("--create", action="store_true", help="create the twin if it does not exist yet")
    add_json_flag(set_)
    set_.set_defaults(handler=_profile_set)


def _create(args: argparse.Namespace) -> int:
    from twin.access.apikeys import create_key, parse_scopes
    from twin.validation import validate_twin_id

    twin_id = validate_twin_id(twin_id_from(args), "--twin")
    scopes = parse_scopes(args.scopes)
    created = database().run(lambda conn: create_key(conn, twin_id=twin_id, scopes=scopes, name=args.name))
    payload = {"key": created.key, "key_id": created.key_id, "twin_id": created.twin_id,
               "scopes": list(created.scopes), "name": created.name}
    emit(payload, as_json=args.json, human=lambda p: (
        f"{p['key']}\n(key id {p['key_id']}, twin {p['twin_id']}, scopes {','.join(p['scopes'])}; "
        "store it now: it is not shown again)"))
    return 0


def _list(args: argparse.Namespace) -> int:
    from twin.access.apikeys import list_keys

    keys = database().run(lambda conn: list_keys(conn, args.twin_id))
    emit({"keys": keys}, as_json=args.json, human=lambda p: "\n".join(
        f"{k['key_id']}  twin={k['twin_id']}  scopes={','.join(k['scopes'])}"
        f"{'  REVOKED' if k['revoked_at'] else ''}  {k['name']}" for k in p["keys"]) or "no keys")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from twin.access.apikeys import revoke_key

    database().run(lambda conn: revoke_key(conn, args.key_id))
    print(f"revoked {args.key_id}")
    return 0


def _human_profile(p: dict[str, Any]) -> str:
    return (f"twin:    {p['twin_id']}\nname:    {p['display_name'] or '(not set)'}\n"
            f"persona: {p['persona'] or '(not set)'}\nembedder: {p['embedder'] or '(nothing ingested yet)'}")


def _profile_show(args: argparse.Namespace) -> int:
    from twin.access.twins import get_profile
    from twin.errors import NotFound

    twin_id = twin_id_from(args)
    profile = database().run(lambda conn: get_profile(conn, twin_id))
    if profile is None:
        raise NotFound(f"there is no twin {twin_id!r}; create it with "
                       f"`twin profile set --twin {twin_id} --create --name ...`", code="twin_not_found")
    emit(profile.as_dict(), as_json=args.json, human=_human_profile)
    return 0


def _profile_set(args: argparse.Namespace) -> int:
    from twin.access.twins import set_profile
    from twin.errors import InvalidRequest
    from twin.validation import validate_twin_id

    twin_id = validate_twin_id(twin_id_from(args), "--twin")
    if args.display_name is None and args.persona is None:
        raise InvalidRequest("give --name and/or --persona")
    # A typo in --twin must not quietly start a second, empty twin: creating one is asked for.
    profile = database().run(lambda conn: set_profile(conn, twin_id=twin_id, display_name=args.display_name,
                                                      persona=args.persona, create=args.create))
    emit(profile.as_dict(), as_json=args.json, human=_human_profile)
    return 0
