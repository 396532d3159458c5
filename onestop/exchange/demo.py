"""Demo data for the gateway: a civil-affairs registry (its simulator's signing key and a death
record), a bank registered as a consumer with a grant, alice's consent and one query by the
bank, so every page of the exchange has something to show on the first run."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from pathlib import Path

from django.utils import timezone

from onestop.exchange import algorithms, gateway, signing
from onestop.exchange.models import Consent, Consumer, ConsumerKind, Resource
from onestop.identity import demo as identity_demo
from onestop.identity.models import Person

BANK = "bank-xian"
#: Where the demo writes the bank's credentials for docs/exchange.md's signed query, under
#: the var folder.
BANK_FILE = "demo-bank-xian.json"
PURPOSE = "loan"
#: For trying the employer items in the demo: a never-insured hire in the household register
#: and a company in the enterprise registry that is not on the platform yet.
NEWCOMER_NAME = "张新来"
NEWCOMER_ID = identity_demo.resident_id(random.Random(20), "610113", dt.date(2002, 4, 9), male=True)
STARTUP_NAME = "西安新星软件有限公司"
STARTUP_CODE = identity_demo.credit_code(random.Random(7), "610113")
EVENT_PURPOSE = "benefit_eligibility"


def load(*, state_file: Path, alice: Person, deceased: Person) -> dict[str, str]:
    """Write the registry simulator's state and register the parties; returns what to print."""
    registry_private, registry_public = algorithms.keypair(algorithms.ED25519)
    registry = Consumer.objects.create(
        code="civil_affairs",
        name="省民政厅婚姻殡葬登记系统",
        name_en="Civil affairs registry",
        kind=ConsumerKind.REGISTRY,
        algorithm=algorithms.ED25519,
        public_key=registry_public,
    )
    gateway.grant_approve(  # its death registrations are pushed here as events
        actor=None,
        consumer=registry,
        resource=Resource.objects.get(code="civil_affairs.deaths"),
        purpose=EVENT_PURPOSE,
        valid_until=None,
    )
    died = timezone.localdate() - dt.timedelta(days=12)
    records = {
        "civil_affairs": {
            "deaths": {
                deceased.resident_id: {
                    "name": deceased.name,
                    "date": died.isoformat(),
                    "place": "西安市雁塔区",
                    "certificate_no": f"SW{died:%Y%m%d}000001",
                    "declarant_resident_id": alice.resident_id,
                }
            }
        },
        "public_security": {
            "household": {
                alice.resident_id: {
                    "name": alice.name,
                    "address": "西安市雁塔区小寨东路",
                    "region_code": "610113",
                    "household_head": alice.name,
                    "certificate_no": "HJ6101130001",
                },
                # A first-job hire never insured: an employer enrols him (SX-SI-002).
                NEWCOMER_ID: {
                    "name": NEWCOMER_NAME,
                    "address": "西安市雁塔区长安南路",
                    "region_code": "610113",
                    "household_head": NEWCOMER_NAME,
                    "certificate_no": "HJ6101130002",
                },
            }
        },
        # A company not yet on the platform, alice its legal representative (SX-SI-001).
        "market_regulation": {
            "enterprises": {
                STARTUP_CODE: {
                    "name": STARTUP_NAME,
                    "status": "存续",
                    "legal_representative": alice.name,
                }
            }
        },
    }
    # Everyone who can sign in is in the household register too (public security knows
    # every resident), so any demo persona's identity check through the gateway succeeds.
    household = records["public_security"]["household"]
    signed_in = Person.objects.filter(user__isnull=False).select_related("region")
    for number, person in enumerate(signed_in.order_by("pk"), start=3):
        household.setdefault(
            person.resident_id,
            {
                "name": person.name,
                "address": f"{person.region.name}",
                "region_code": person.region.code,
                "household_head": person.name,
                "certificate_no": f"HJ{person.region.code}{number:04d}",
            },
        )
    state_file.write_text(
        json.dumps({"records": records, "signing_key": registry_private}, ensure_ascii=False),
        encoding="utf-8",
    )
    bank_private, bank_public = algorithms.keypair(algorithms.ED25519)
    bank = Consumer.objects.create(
        code=BANK,
        name="西安某银行（演示）",
        name_en="Demo bank, Xi'an",
        kind=ConsumerKind.THIRD_PARTY,
        algorithm=algorithms.ED25519,
        public_key=bank_public,
    )
    resource = Resource.objects.get(code="hrss.proof_of_insurance")
    gateway.grant_approve(
        actor=None, consumer=bank, resource=resource, purpose=PURPOSE, valid_until=None
    )
    Consent.objects.create(
        person=alice,
        consumer=bank,
        resource=resource,
        purpose=PURPOSE,
        valid_until=timezone.localdate() + dt.timedelta(days=90),
        created_at=timezone.now(),
    )
    body = signing.canonical(
        {
            "consumer": BANK,
            "resource": resource.code,
            "purpose": PURPOSE,
            "subject": alice.resident_id,
            "fields": ["insured", "contribution_months"],
            "timestamp": timezone.now().isoformat(),
            "nonce": secrets.token_hex(8),
        }
    )
    gateway.gateway_query(
        body=body, signature=algorithms.sign(algorithms.ED25519, bank_private, body)
    )
    return {
        "deceased": deceased.resident_id,
        "died_on": died.isoformat(),
        "bank_key": bank_private,
        "bank_public_key": bank_public,
        "subject": alice.resident_id,
    }


def bank_credentials_write(
    *, var_dir: Path, private_key: str, public_key: str, subject: str
) -> Path:
    """Write the demo bank's key pair (hex) and what it may ask to ``var_dir/BANK_FILE``,
    readable by the owner only: an integrator signs docs/exchange.md's query with it. Demo
    only: a real consumer keeps its private key to itself and registers the public one."""
    path = var_dir / BANK_FILE
    path.write_text(
        json.dumps(
            {
                "consumer": BANK,
                "algorithm": algorithms.ED25519,
                "private_key": private_key,
                "public_key": public_key,
                "resource": "hrss.proof_of_insurance",
                "purpose": PURPOSE,
                "subject": subject,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path
