"""Demo data: a small, believable CRM to try Sampark on, in the scripts its users write.

Names come from short built-in lists per locale (Latin, Devanagari, Telugu, Tamil, Bengali,
Arabic, Chinese, Japanese), each with a Latin spelling for email addresses. Domains are
the reserved ``example.*`` ones, phone numbers are valid for their region. With a seed
the same people, companies and numbers come out every time.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from sampark.core.errors import ValidationError
from sampark.core.records import Record
from sampark.core.services import accounts as account_service
from sampark.core.services import interactions as interaction_service
from sampark.core.services import links as link_service
from sampark.core.services import users as user_service
from sampark.core.services.bulk import clean_rows, insert_contacts_returning_ids

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

DemoProgress = Callable[[str, int, int], object]
"""Called as each stage advances: (stage, done, total); stages are users, accounts,
contacts, links and interactions."""

PERSONAL_DOMAINS = ("example.com", "example.org", "example.net")

# ---------------------------------------------------------------------------
# Built-in name lists: (as written, Latin spelling for email addresses)
# ---------------------------------------------------------------------------

Name = tuple[str, str]


def _latin(*names: str) -> tuple[Name, ...]:
    """Latin-script names are their own Latin spelling."""
    return tuple((name, name) for name in names)


def _pairs(text: str) -> tuple[Name, ...]:
    """``"आशा Asha, राहुल Rahul"`` -> ((native, latin), …)."""
    return tuple(tuple(item.split()) for item in text.split(","))  # type: ignore[misc]


@dataclass(frozen=True)
class Locale:
    """Where a person lives and how their name is written."""

    language: str
    region: str
    script: str
    weight: int
    given: tuple[Name, ...]
    family: tuple[Name, ...]
    cities: tuple[tuple[str, str, str], ...]  # city, region, postal code
    streets: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    family_first: bool = False  # 王伟, 佐藤陽翔: family name first, no space

    def display(self, given: str, family: str) -> str | None:
        """The display name when it is not simply "given family"."""
        return f"{family}{given}" if self.family_first else None


_IN_STREETS = ("MG Road", "Station Road", "Link Road", "Nehru Nagar", "Gandhi Marg")
_IN_SUFFIXES = (" Pvt Ltd", " LLP", " Ltd")

LOCALES: tuple[Locale, ...] = (
    Locale(
        "en-GB",
        "GB",
        "Latin",
        8,
        _latin("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Charlotte"),
        _latin("Smith", "Jones", "Taylor", "Brown", "Evans", "O'Connor", "Hughes", "Clarke"),
        (("London", "", "EC1A 1BB"), ("Manchester", "", "M1 1AE"), ("Leeds", "", "LS1 4AP")),
        ("High Street", "Church Lane", "Victoria Road"),
        (" Ltd", " PLC"),
    ),
    Locale(
        "en-US",
        "US",
        "Latin",
        7,
        _latin("James", "Mary", "Michael", "Jennifer", "David", "Sarah", "Carlos", "Grace"),
        _latin("Johnson", "Miller", "Davis", "Rodriguez", "Anderson", "Walker", "Nguyen", "Kim"),
        (("New York", "NY", "10001"), ("Austin", "TX", "78701"), ("Seattle", "WA", "98101")),
        ("Main Street", "Oak Avenue", "Pine Street"),
        (" Inc.", " LLC"),
    ),
    Locale(
        "de-DE",
        "DE",
        "Latin",
        6,
        _latin("Lukas", "Anna", "Jürgen", "Sophie", "Felix", "Jörg", "Katharina", "Sören"),
        _latin("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Schäfer", "Koch"),
        (("Berlin", "", "10115"), ("München", "Bayern", "80331"), ("Köln", "NRW", "50667")),
        ("Hauptstraße", "Bahnhofstraße", "Gartenweg"),
        (" GmbH", " AG"),
    ),
    Locale(
        "fr-FR",
        "FR",
        "Latin",
        4,
        _latin("Chloé", "Louis", "Camille", "Hugo", "Léa", "Théo", "François", "Hélène"),
        _latin("Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Fournier"),
        (("Paris", "", "75001"), ("Lyon", "", "69001"), ("Toulouse", "", "31000")),
        ("Rue de la République", "Avenue Victor Hugo"),
        (" SARL", " SAS"),
    ),
    Locale(
        "pt-BR",
        "BR",
        "Latin",
        3,
        _latin("João", "Maria", "Ana", "Lucas", "Gabriel", "Júlia", "Beatriz", "Rafael"),
        _latin("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Gonçalves", "Araújo"),
        (("São Paulo", "SP", "01001-000"), ("Curitiba", "PR", "80010-000")),
        ("Rua das Flores", "Avenida Paulista"),
        (" Ltda.",),
    ),
    Locale(
        "hi-IN",
        "IN",
        "Devanagari",
        14,
        _pairs(
            "आशा Asha, राहुल Rahul, प्रिया Priya, अमित Amit, सुनीता Sunita, विक्रम Vikram, "
            "अनीता Anita, रोहन Rohan, नेहा Neha, संजय Sanjay, पूजा Pooja, अर्जुन Arjun"
        ),
        _pairs(
            "शर्मा Sharma, वर्मा Verma, गुप्ता Gupta, जोशी Joshi, सिंह Singh, मिश्रा Mishra, "
            "यादव Yadav, अग्रवाल Agarwal, चौहान Chauhan, श्रीवास्तव Srivastava"
        ),
        (
            ("New Delhi", "Delhi", "110001"),
            ("Lucknow", "Uttar Pradesh", "226001"),
            ("Jaipur", "Rajasthan", "302001"),
        ),
        _IN_STREETS,
        _IN_SUFFIXES,
    ),
    Locale(
        "mr-IN",
        "IN",
        "Devanagari",
        6,
        _pairs("मेघा Megha, सचिन Sachin, स्नेहा Sneha, प्रसाद Prasad, माधुरी Madhuri, अजय Ajay"),
        _pairs(
            "पाटील Patil, कुलकर्णी Kulkarni, देशपांडे Deshpande, जाधव Jadhav, गोखले Gokhale, भोसले Bhosale"
        ),
        (("Pune", "Maharashtra", "411001"), ("Mumbai", "Maharashtra", "400001")),
        _IN_STREETS,
        _IN_SUFFIXES,
    ),
    Locale(
        "te-IN",
        "IN",
        "Telugu",
        10,
        _pairs(
            "శ్రీనివాస్ Srinivas, లక్ష్మి Lakshmi, రవి Ravi, సాయి Sai, కృష్ణ Krishna, "
            "పద్మ Padma, వెంకట్ Venkat, అనూష Anusha, మహేష్ Mahesh, స్వాతి Swathi"
        ),
        _pairs("రెడ్డి Reddy, నాయుడు Naidu, రావు Rao, చౌదరి Chowdary, వర్మ Varma, శాస్త్రి Sastry, గౌడ్ Goud"),
        (
            ("Hyderabad", "Telangana", "500001"),
            ("Vijayawada", "Andhra Pradesh", "520001"),
            ("Visakhapatnam", "Andhra Pradesh", "530001"),
        ),
        _IN_STREETS,
        _IN_SUFFIXES,
    ),
    Locale(
        "ta-IN",
        "IN",
        "Tamil",
        10,
        _pairs(
            "முருகன் Murugan, கவிதா Kavitha, அருண் Arun, மீனா Meena, செல்வம் Selvam, "
            "கார்த்திக் Karthik, பிரியா Priya, விஜய் Vijay, தேவி Devi, சரவணன் Saravanan"
        ),
        _pairs(
            "சுப்பிரமணியன் Subramanian, ராஜேந்திரன் Rajendran, கிருஷ்ணன் Krishnan, "
            "சுந்தரம் Sundaram, வேலு Velu, ஐயர் Iyer, பிள்ளை Pillai"
        ),
        (
            ("Chennai", "Tamil Nadu", "600001"),
            ("Coimbatore", "Tamil Nadu", "641001"),
            ("Madurai", "Tamil Nadu", "625001"),
        ),
        _IN_STREETS,
        _IN_SUFFIXES,
    ),
    Locale(
        "bn-IN",
        "IN",
        "Bengali",
        9,
        _pairs(
            "সুমিত Sumit, রিয়া Riya, অনির্বাণ Anirban, দেবাশীষ Debashish, মৌমিতা Moumita, "
            "সৌরভ Sourav, তানিয়া Tania, অর্পিতা Arpita"
        ),
        _pairs(
            "চক্রবর্তী Chakraborty, বন্দ্যোপাধ্যায় Banerjee, মুখোপাধ্যায় Mukherjee, "
            "দাস Das, সেন Sen, ঘোষ Ghosh, বসু Basu, রায় Roy"
        ),
        (("Kolkata", "West Bengal", "700001"), ("Siliguri", "West Bengal", "734001")),
        _IN_STREETS,
        _IN_SUFFIXES,
    ),
    Locale(
        "ar-AE",
        "AE",
        "Arabic",
        6,
        _pairs(
            "محمد Mohammed, فاطمة Fatima, أحمد Ahmed, ليلى Layla, عمر Omar, نور Noor, "
            "يوسف Youssef, مريم Maryam"
        ),
        _pairs(
            "الحسن Al-Hassan, العلي Al-Ali, حداد Haddad, منصور Mansour, خليل Khalil, سعيد Saeed"
        ),
        (("Dubai", "Dubai", ""), ("Abu Dhabi", "Abu Dhabi", ""), ("Sharjah", "Sharjah", "")),
        ("Sheikh Zayed Road", "Al Wasl Road"),
        (" LLC", " FZE"),
    ),
    Locale(
        "zh-CN",
        "CN",
        "Han",
        6,
        _pairs("伟 Wei, 芳 Fang, 娜 Na, 敏 Min, 静 Jing, 磊 Lei, 秀英 Xiuying, 建华 Jianhua"),
        _pairs("王 Wang, 李 Li, 张 Zhang, 刘 Liu, 陈 Chen, 杨 Yang, 黄 Huang, 周 Zhou"),
        (("上海", "上海市", "200000"), ("北京", "北京市", "100000"), ("深圳", "广东省", "518000")),
        ("南京路", "长安街"),
        (" Co., Ltd.",),
        family_first=True,
    ),
    Locale(
        "ja-JP",
        "JP",
        "Japanese",
        5,
        _pairs(
            "陽翔 Haruto, さくら Sakura, 蓮 Ren, 結衣 Yui, 大翔 Hiroto, 美咲 Misaki, 健太 Kenta"
        ),
        _pairs("佐藤 Sato, 鈴木 Suzuki, 高橋 Takahashi, 田中 Tanaka, 伊藤 Ito, 渡辺 Watanabe"),
        (("東京都千代田区", "東京都", "100-0001"), ("大阪市北区", "大阪府", "530-0001")),
        ("丸の内1丁目", "梅田2丁目"),
        (" K.K.", " Co., Ltd."),
        family_first=True,
    ),
)

CONTACT_TAGS = (
    "customer",
    "lead",
    "vip",
    "newsletter",
    "partner",
    "supplier",
    "event-2025",
    "referral",
    "दिवाली",
)
ACCOUNT_TAGS = ("key-account", "export", "msme", "startup", "government")
INDUSTRIES = (
    "Textiles",
    "Pharma",
    "Logistics",
    "Software",
    "Foods",
    "Engineering",
    "Traders",
    "Solar",
    "Consulting",
    "Chemicals",
    "Motors",
    "Exports",
)
ROLES = (
    "Director",
    "CEO",
    "Founder",
    "Purchase Manager",
    "Accountant",
    "Sales Lead",
    "Engineer",
    "Operations Head",
    "HR Manager",
    "Procurement Officer",
)
# Indian state: (GST state code, letters in a company identification number)
_IN_STATES = {
    "Delhi": ("07", "DL"),
    "Uttar Pradesh": ("09", "UP"),
    "Rajasthan": ("08", "RJ"),
    "Maharashtra": ("27", "MH"),
    "Telangana": ("36", "TG"),
    "Andhra Pradesh": ("37", "AP"),
    "Tamil Nadu": ("33", "TN"),
    "West Bengal": ("19", "WB"),
}
INTERACTION_KINDS = ("call", "email", "meeting", "note", "message")
_TOPICS = (
    "the quotation",
    "the renewal",
    "delivery schedule",
    "payment terms",
    "the product demo",
    "volume discount",
    "the service contract",
    "onboarding",
)
_SUBJECTS = {
    "call": ("Intro call", "Call about {topic}", "Support call", "Price check on {topic}"),
    "email": ("Sent brochure", "Email about {topic}", "Shared price list", "Invoice query"),
    "meeting": ("Quarterly review", "Site visit", "Meeting on {topic}", "Lunch meeting"),
    "note": ("Prefers WhatsApp to email", "Budget approved for next quarter", "Note on {topic}"),
    "message": ("WhatsApp: confirmed delivery", "SMS reminder about {topic}"),
}
_OUTCOMES = ("Interested", "Will call back", "Needs a revised quote", "Happy with service", "")


# ---------------------------------------------------------------------------
# Values: phone numbers, tax numbers, email addresses
# ---------------------------------------------------------------------------


def phone_number(rng: random.Random, region: str, kind: int = PhoneNumberType.MOBILE) -> str:
    """A valid number of ``kind`` for ``region`` in E.164: the region's example number
    with its last digits varied (the example itself if nothing else is valid)."""
    example = phonenumbers.example_number_for_type(region, kind)
    national = str(example.national_number)
    vary = min(7, len(national) - 3)
    for _ in range(20):
        digits = national[:-vary] + "".join(str(rng.randrange(10)) for _ in range(vary))
        number = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(digits)
        )
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, PhoneNumberFormat.E164)


def as_typed(rng: random.Random, e164: str) -> str:
    """The number as someone might have typed it: bare E.164 or spaced international."""
    if rng.random() < 0.5:
        return e164
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin(rng: random.Random, state_code: str) -> str:
    """An Indian GST number: state, PAN of a company, entity, Z, and its check character."""
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5))
    pan = f"{letters[:3]}C{letters[3]}{rng.randrange(10000):04d}{letters[4]}"
    body = f"{state_code}{pan}1Z"
    return body + gstin_check(body)


def gstin_check(body: str) -> str:
    """The 15th character of a GST number from its first 14 (a base-36 Luhn variant)."""
    total = 0
    for index, char in enumerate(body):
        product = _BASE36.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def german_vat(rng: random.Random) -> str:
    """A German VAT id: DE, eight digits and their check digit."""
    digits = str(rng.randrange(10**7, 10**8))
    return f"DE{digits}{german_vat_check(digits)}"


def german_vat_check(digits: str) -> str:
    """The ISO 7064 MOD 11,10 check digit of a German VAT id's first eight digits."""
    product = 10
    for digit in digits:
        total = (int(digit) + product) % 10 or 10
        product = (2 * total) % 11
    return str((11 - product) % 10)


def tax_numbers(rng: random.Random, locale: Locale, state: str) -> tuple[str, str]:
    """(registration number, VAT/GST number) in the shape the country uses."""
    if locale.region == "IN":
        gst_code, letters = _IN_STATES.get(state, ("27", "MH"))
        year = rng.randrange(1990, 2024)
        cin = f"U{rng.randrange(10000, 99999)}{letters}{year}PTC{rng.randrange(100000, 999999)}"
        return cin, gstin(rng, gst_code)
    if locale.region == "DE":
        return f"HRB {rng.randrange(10000, 99999)}", german_vat(rng)
    if locale.region == "GB":
        return f"{rng.randrange(10**7):08d}", f"GB{rng.randrange(10**8, 10**9)}"
    if locale.region == "FR":
        siren = rng.randrange(10**8, 10**9)
        return str(siren), f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren}"
    if locale.region == "AE":
        return "", f"100{rng.randrange(10**11, 10**12)}003"
    if locale.region == "US":
        return f"{rng.randrange(10, 99)}-{rng.randrange(10**6, 10**7)}", ""
    return f"{rng.randrange(10**12, 10**13)}", ""


class EmailAddresses:
    """Addresses from names in Latin letters, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def make(self, given: str, family: str, domain: str) -> str:
        """A new address at ``domain`` for a person with these (Latin) names."""
        rng = self._rng
        given, family = _letters(given), _letters(family)
        style = rng.randrange(6)
        if style == 0:
            local = f"{given}.{family}"
        elif style == 1:
            local = f"{given[0]}.{family}"
        elif style == 2:
            local = f"{given}{family[0]}"
        elif style == 3:
            local = f"{given}_{family}{rng.randrange(1, 100)}"
        elif style == 4:
            local = f"{given[0]}{family[0]}{rng.randrange(100, 10000)}"  # initials + number
        else:
            local = f"{family}.{given}"
        address = f"{local}@{domain}"
        number = 1
        while address in self._used:
            number += 1
            address = f"{local}{number}@{domain}"
        self._used.add(address)
        return address


def slug(text: str) -> str:
    """``O'Connor Pharma Ltd`` -> ``oconnor-pharma-ltd`` (for example.* domains)."""
    return re.sub(r"[^a-z0-9]+", "-", _plain(text).replace("'", "")).strip("-")


def _letters(name: str) -> str:
    """Letters for an email address: ``Müller`` -> ``muller``, ``Al-Hassan`` -> ``alhassan``."""
    return re.sub(r"[^a-z]", "", _plain(name))


def _plain(text: str) -> str:
    """Lower-case ASCII: accents dropped, ß spelt ss."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return decomposed.encode("ascii", "ignore").decode().lower()


# ---------------------------------------------------------------------------
# People and companies as input rows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    """A demo account before it is written: its row, and what its staff's rows need."""

    row: dict[str, Any]
    locale: Locale
    domain: str
    parent: int | None = None  # index of the parent company in the list
    group: bool = False  # a group's subsidiaries may name it as their parent


class DemoMaker:
    """Rows for demo contacts and accounts, all drawn from one seeded random source."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.emails = EmailAddresses(self.rng)
        self._weights = [locale.weight for locale in LOCALES]
        self._company_names: set[str] = set()

    def locale(self) -> Locale:
        return self.rng.choices(LOCALES, weights=self._weights)[0]

    def person(
        self,
        *,
        owners: Sequence[str] = (),
        employer: Company | None = None,
        locale: Locale | None = None,
    ) -> dict[str, Any]:
        """A contact row, as ``clean_contact`` takes it."""
        rng = self.rng
        locale = locale or (employer.locale if employer and rng.random() < 0.7 else self.locale())
        given, given_latin = rng.choice(locale.given)
        family, family_latin = rng.choice(locale.family)
        emails: list[Any] = []
        if employer is not None:
            emails.append(self.emails.make(given_latin, family_latin, employer.domain))
        if employer is None or rng.random() < 0.25:
            domain = rng.choice(PERSONAL_DOMAINS)
            address = self.emails.make(given_latin, family_latin, domain)
            emails.append({"email": address, "label": "home" if employer else "work"})
        phones: list[Any] = []
        if rng.random() < 0.93:
            phones.append(as_typed(rng, phone_number(rng, locale.region)))
        if rng.random() < 0.15:
            landline = phone_number(rng, locale.region, PhoneNumberType.FIXED_LINE)
            phones.append({"number": as_typed(rng, landline), "label": "work"})
        row: dict[str, Any] = {
            "first_name": given,
            "last_name": family,
            "emails": emails,
            "phones": phones,
            "tags": rng.sample(CONTACT_TAGS, rng.choice((0, 0, 1, 1, 1, 2, 3))),
            "language": locale.language,
        }
        display = locale.display(given, family)
        if display:
            row["display_name"] = display
        if rng.random() < 0.3:
            row["addresses"] = [self.address(locale, label="home")]
        if rng.random() < 0.4:
            born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
            row["birthday"] = born.isoformat()
        if owners and rng.random() < 0.8:
            row["owner"] = rng.choice(owners)
        return row

    def address(self, locale: Locale, *, label: str = "work") -> dict[str, str]:
        city, region, postal_code = self.rng.choice(locale.cities)
        street = f"{self.rng.randrange(1, 200)} {self.rng.choice(locale.streets)}"
        return {
            "label": label,
            "street": street,
            "city": city,
            "region": region,
            "postal_code": postal_code,
            "country": locale.region,
        }

    def company(
        self,
        kinds: Sequence[str],
        *,
        owners: Sequence[str] = (),
        parent: tuple[int, Company] | None = None,
        group: bool = False,
    ) -> Company:
        """An account row; with ``parent``, a subsidiary of that (index, group)."""
        rng = self.rng
        locale = parent[1].locale if parent else self.locale()
        family_name = rng.choice(locale.family)[1]
        group = parent is None and (group or rng.random() < 0.12)
        if group:
            base = f"{family_name} {rng.choice(('Group', 'Holdings', 'Industries'))}"
        else:
            base = f"{family_name} {rng.choice(INDUSTRIES)}{rng.choice(locale.company_suffixes)}"
        address = self.address(locale)
        name = base
        if name in self._company_names:
            name = f"{base} ({address['city']})"
        number = 1
        while name in self._company_names:
            number += 1
            name = f"{base} {number}"
        self._company_names.add(name)
        domain = f"{slug(name)}.example"
        registration, vat = tax_numbers(rng, locale, address["region"])
        landline = phone_number(rng, locale.region, PhoneNumberType.FIXED_LINE)
        row: dict[str, Any] = {
            "name": name,
            "kinds": rng.sample(list(kinds), rng.choice((1, 1, 1, 2))),
            "website": f"https://www.{domain}",
            "registration_number": registration,
            "vat_number": vat,
            "emails": [{"email": f"info@{domain}", "label": "work"}],
            "phones": [{"number": as_typed(rng, landline), "label": "office"}],
            "addresses": [address],
            "tags": rng.sample(ACCOUNT_TAGS, rng.choice((0, 1, 1, 2))),
        }
        if owners:
            row["owner"] = rng.choice(owners)
        return Company(row, locale, domain, parent[0] if parent else None, group)


def contact_rows(
    count: int, *, seed: int | None = None, owners: Sequence[str] = ()
) -> Iterator[dict[str, Any]]:
    """``count`` demo contact rows without accounts, e.g. to try ``crm.contacts.bulk_create``."""
    maker = DemoMaker(seed)
    for _ in range(count):
        yield maker.person(owners=owners)


# ---------------------------------------------------------------------------
# Writing a demo CRM
# ---------------------------------------------------------------------------

DEMO_USERS = (
    ("asha", "Asha Rao", "asha@example.com"),
    ("ravi", "Ravi Kumar", "ravi@example.com"),
    ("meera", "Meera Iyer", "meera@example.com"),
    ("john", "John Miller", "john@example.com"),
)


@dataclass(frozen=True)
class DemoSummary(Record):
    """What :func:`create_demo_data` wrote; ``plugins`` holds what plugins say they added."""

    users: int
    accounts: int
    contacts: int
    links: int
    interactions: int
    followups: int
    overdue: int
    plugins: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoWorld:
    """The demo CRM core has written, handed to plugins' ``demo_data`` hooks.

    Attributes:
        rng: the seeded random generator: draw from it only, so a seeded run writes the
            same data every time.
        now: the moment the demo is built around.
        usernames: the demo users, led by those who may manage the CRM (the admin
            ``sampark init`` made): give ``usernames[0]`` a share of what you add, since
            theirs is the dashboard a newcomer sees first.
        account_ids: the demo accounts.
        contact_ids: the demo contacts.
        employers: ``employers[i]`` is the index in ``account_ids`` of the account that
            ``contact_ids[i]`` works for (None: nobody's).
        report: ``report(stage, done, total)`` prints a progress line; count in the
            units your summary line counts, so the two agree.
    """

    rng: random.Random
    now: dt.datetime
    usernames: tuple[str, ...]
    account_ids: tuple[int, ...]
    contact_ids: tuple[int, ...]
    employers: tuple[int | None, ...]
    report: DemoProgress


async def create_demo_data(
    kernel: Sampark,
    *,
    contacts: int = 300,
    seed: int | None = None,
    progress: DemoProgress | None = None,
) -> DemoSummary:
    """Fill the CRM with demo users, accounts, contacts, links and a year of interactions.

    Everything goes through the services, so it is checked like hand-entered data;
    contacts go in through the bulk import. Users that already exist are reused, and the
    users who may manage the CRM (those who sign in first) get the first follow-ups.
    Progress counts what the summary counts.
    """
    if isinstance(contacts, bool) or not isinstance(contacts, int) or contacts < 1:
        raise ValidationError.single("contacts", "must be a whole number >= 1")
    report = progress or (lambda stage, done, total: None)
    maker = DemoMaker(seed)
    rng = maker.rng
    # One "now" for the whole run: interactions sit at fixed offsets from it.
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)

    # Whoever manages the CRM signs in first: they lead, so their dashboard is busy.
    managers = await user_service.managers(kernel)
    usernames = list(dict.fromkeys(managers + [await _user(kernel, *u) for u in DEMO_USERS]))
    report("users", len(usernames), len(usernames))

    companies = _companies(maker, max(1, contacts // 3), kernel.account_kinds, usernames)
    account_ids: list[int] = []
    for index, company in enumerate(companies):
        row = dict(company.row)
        if company.parent is not None:
            row["parent_id"] = account_ids[company.parent]
        account_ids.append((await account_service.create_account(kernel, row)).id)
        report("accounts", index + 1, len(companies))

    staff = [rng.randrange(len(companies)) if rng.random() < 0.7 else None for _ in range(contacts)]
    # The first few people cycle through the locales, so every script shows up.
    rows = [
        maker.person(
            owners=usernames,
            employer=companies[employer] if employer is not None else None,
            locale=LOCALES[position] if position < len(LOCALES) else None,
        )
        for position, employer in enumerate(staff)
    ]
    checked = await clean_rows(kernel, rows)
    contact_ids = await insert_contacts_returning_ids(
        kernel, checked, progress=lambda done, total: report("contacts", done, total or contacts)
    )

    links = await _links(kernel, rng, contact_ids, staff, account_ids, report)
    done, planned, overdue = await _interactions(
        kernel, rng, start, contact_ids, staff, account_ids, usernames, report
    )
    world = DemoWorld(
        rng=rng,
        now=start,
        usernames=tuple(usernames),
        account_ids=tuple(account_ids),
        contact_ids=tuple(contact_ids),
        employers=tuple(staff),
        report=report,
    )
    added = await kernel.plugins.acollect("demo_data", kernel=kernel, world=world)
    return DemoSummary(
        users=len(usernames),
        accounts=len(account_ids),
        contacts=len(contact_ids),
        links=links,
        interactions=done + planned,
        followups=planned,
        overdue=overdue,
        plugins=tuple(str(contribution.item) for contribution in added),
    )


async def _user(kernel: Sampark, username: str, display_name: str, email: str) -> str:
    try:
        await user_service.create_user(kernel, username, display_name, email)
    except ValidationError:
        await user_service.user_id_for(kernel, username)  # taken: reuse it
    return username


def _companies(
    maker: DemoMaker, count: int, kinds: Sequence[str], owners: Sequence[str]
) -> list[Company]:
    """Companies in creation order: groups first appear before their subsidiaries."""
    companies: list[Company] = []
    groups: list[int] = []
    for position in range(count):
        parent = None
        if groups and maker.rng.random() < 0.3:
            index = maker.rng.choice(groups)
            parent = (index, companies[index])
        # The first is a group, so even a small demo has a parent and subsidiaries.
        company = maker.company(kinds, owners=owners, parent=parent, group=position == 0)
        if company.group:
            groups.append(len(companies))
        companies.append(company)
    return companies


async def _links(
    kernel: Sampark,
    rng: random.Random,
    contact_ids: list[int],
    staff: list[int | None],
    account_ids: list[int],
    report: DemoProgress,
) -> int:
    """Each employed contact's place at their company; a few also sit on another's board."""
    planned: list[dict[str, Any]] = []
    for contact_id, employer in zip(contact_ids, staff, strict=True):
        if employer is None:
            continue
        since = dt.date.today() - dt.timedelta(days=rng.randrange(30, 4000))
        planned.append(
            {
                "contact_id": contact_id,
                "account_id": account_ids[employer],
                "role": rng.choice(ROLES),
                "primary": True,
                "start_date": since,
            }
        )
        other = rng.randrange(len(account_ids))
        if rng.random() < 0.08 and other != employer:
            planned.append(
                {"contact_id": contact_id, "account_id": account_ids[other], "role": "Board member"}
            )
    report("links", 0, len(planned))
    for done, link in enumerate(planned, start=1):
        await link_service.link_contact(
            kernel, link.pop("contact_id"), link.pop("account_id"), **link
        )
        report("links", done, len(planned))
    return len(planned)


async def _interactions(
    kernel: Sampark,
    rng: random.Random,
    start: dt.datetime,
    contact_ids: list[int],
    staff: list[int | None],
    account_ids: list[int],
    usernames: list[str],
    report: DemoProgress,
) -> tuple[int, int, int]:
    """A year of calls, emails, meetings and notes; some follow-ups due soon, some overdue.

    The first three contacts' follow-ups belong to ``usernames[0]``: one due in a few hours,
    one overdue and one later; the rest are anybody's.
    """
    rows: list[dict[str, Any]] = []
    planned = overdue = 0
    for position, (contact_id, employer) in enumerate(zip(contact_ids, staff, strict=True)):
        accounts = [account_ids[employer]] if employer is not None else []
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 6))):
            kind = rng.choice(INTERACTION_KINDS)
            when = start - dt.timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
            data = _interaction(rng, kind, contact_id, accounts, usernames)
            rows.append(data | {"status": "done", "occurred_at": when})
        if position < 3 or rng.random() < 0.25:
            late = position == 1 or (position > 2 and rng.random() < 0.3)
            minutes = rng.randrange(30, 240) if position == 0 else rng.randrange(60, 21 * 24 * 60)
            kind = rng.choice(("call", "meeting", "email"))
            data = _interaction(rng, kind, contact_id, accounts, usernames)
            if position < 3:
                data["author"] = usernames[0]
            data["subject"] = f"Follow up: {data['subject'][0].lower()}{data['subject'][1:]}"
            offset = dt.timedelta(minutes=minutes)
            due = start - offset if late else start + offset
            rows.append(data | {"status": "planned", "due_at": due, "outcome": ""})
            planned += 1
            overdue += late
    report("interactions", 0, len(rows))
    for done, data in enumerate(rows, start=1):
        await interaction_service.log_interaction(kernel, data)
        report("interactions", done, len(rows))
    return len(rows) - planned, planned, overdue


def _interaction(
    rng: random.Random,
    kind: str,
    contact_id: int,
    accounts: list[int],
    usernames: list[str],
) -> dict[str, Any]:
    topic = rng.choice(_TOPICS)
    data: dict[str, Any] = {
        "kind": kind,
        "subject": rng.choice(_SUBJECTS[kind]).format(topic=topic),
        "body": f"Talked about {topic}." if kind != "note" else "",
        "contacts": [contact_id],
        "accounts": accounts if rng.random() < 0.5 else [],
        "author": rng.choice(usernames),
    }
    if kind in ("call", "email", "message"):
        data["direction"] = rng.choice(("inbound", "outbound"))
    if kind in ("call", "meeting"):
        data["duration_minutes"] = rng.randrange(5, 90)
        data["outcome"] = rng.choice(_OUTCOMES)
    return data
