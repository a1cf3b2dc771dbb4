"""The closed vocabularies of the store: fact types, entity kinds, participant roles, statuses, with labels."""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    """One word of a closed vocabulary: its Arabic and English labels and what it means."""

    ar: str
    en: str
    meaning: str
    cameo: str | None = None


FACT_TYPES: dict[str, Term] = {
    "agreement": Term("اتفاق", "Agreement", "an agreement, plan or protocol signed, concluded or about to be", "057"),
    "meeting": Term("لقاء", "Meeting", "a meeting of officials or a session of a body, and who attended it", "040"),
    "agenda": Term("جدول أعمال", "Agenda", "what a meeting had before it"),
    "integration": Term(
        "توحيد", "Integration", "national military systems joined, or being joined, into one unified system", "062"
    ),
    "cooperation": Term(
        "تعاون", "Cooperation", "military cooperation that is not an agreement or an integration", "062"
    ),
    "delivery": Term("تسليم", "Delivery", "weapons or equipment handed from one party to another", "072"),
    "facility-use": Term(
        "استخدام منشأة",
        "Facility use",
        "one state's military use, or holding, of a facility on another state's territory",
        "062",
    ),
    "adoption": Term("تبني", "Adoption", "a body adopting a document: a doctrine, principles, a draft"),
    "policy": Term("سياسة", "Policy", "a standing priority or position of a body"),
    "assessment": Term("تقييم", "Assessment", "a speaker's judgement of how important or how real something is", "010"),
    "threat": Term("تهديد", "Threat", "a claim that a party faces a security threat (not a threat made by an actor)"),
    "statement": Term("تصريح", "Statement", "a declaration that fits no other type", "010"),
    "publication": Term("نشر", "Publication", "who published the text"),
}

ENTITY_KINDS: dict[str, Term] = {
    "person": Term("شخص", "Person", "a person, described by the office held at the time"),
    "country": Term("دولة", "Country", "a sovereign state"),
    "organisation": Term("منظمة", "Organisation", "an organisation, body, ministry or media outlet"),
    "place": Term("مكان", "Place", "a city or region"),
    "weapon-system": Term("منظومة سلاح", "Weapon system", "a type of weapon or weapon system"),
    "defence-system": Term(
        "منظومة دفاعية", "Defence system", "a network of forces and sensors, such as a unified air-defence system"
    ),
    "facility": Term("منشأة", "Facility", "a military installation, complex or test range"),
    "document": Term("وثيقة", "Document", "a plan, doctrine, draft or set of principles"),
}

ROLES: dict[str, Term] = {
    "signatory": Term("موقّع", "Signatory", "a person who signed"),
    "party": Term("طرف", "Party", "a state or body on one side of an agreement or cooperation"),
    "participant": Term("مشارك", "Participant", "a person or state taking part in a meeting"),
    "observer": Term("حاضر", "Observer", "a body attending a meeting without being a member"),
    "actor": Term("فاعل", "Actor", "the body that does what the claim says"),
    "supplier": Term("مورّد", "Supplier", "the party handing something over"),
    "recipient": Term("متسلّم", "Recipient", "the party receiving something"),
    "object": Term("موضوع الفعل", "Object", "the thing delivered, created, used or transferred"),
    "document": Term("وثيقة", "Document", "the document signed or adopted"),
    "subject": Term("موضوع", "Subject", "what the claim is about"),
    "region": Term("منطقة", "Region", "the region concerned"),
    "user": Term("مستخدم", "User", "the party using a facility"),
    "owner": Term("مالك", "Owner", "the body a facility belongs to"),
    "host": Term("مضيف", "Host", "the state on whose territory a facility lies"),
    "target": Term("مستهدف", "Target", "the party facing a threat"),
    "publisher": Term("ناشر", "Publisher", "who published the text"),
}

STATUSES: dict[str, Term] = {
    "done": Term("تم", "Done", "it happened: signed, delivered, held, adopted"),
    "ongoing": Term("جارٍ", "Ongoing", "under way, or a state of affairs that holds"),
    "planned": Term("مخطط", "Planned", "intended or about to happen"),
}

PRECISIONS: dict[str, Term] = {
    "day": Term("يوم", "Day", "YYYY-MM-DD"),
    "month": Term("شهر", "Month", "YYYY-MM"),
    "year": Term("سنة", "Year", "YYYY"),
}
