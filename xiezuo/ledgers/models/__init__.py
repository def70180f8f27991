"""Ledger models, split by area; every record belongs to one county and one year."""

from xiezuo.ledgers.models.base import LedgerRecord, WanYuanField
from xiezuo.ledgers.models.funds import Donation, FundProject
from xiezuo.ledgers.models.industry import CertifiedSupplier, ConsumptionSale, Enterprise, Park, Workshop
from xiezuo.ledgers.models.labour import LabourPlacement, TrainingClass
from xiezuo.ledgers.models.organisation import Meeting, PairingRecord, PolicyDocument, Visit
from xiezuo.ledgers.models.people import Exchange, RevivalTraining
from xiezuo.ledgers.models.projects import (
    FundingKind,
    NoticeStage,
    ProjectFunding,
    ProjectMilestone,
    ProjectNotice,
)
from xiezuo.ledgers.models.reconciliation import Decision, Reconciliation
from xiezuo.ledgers.models.villages import DemoVillage

__all__ = [
    "CertifiedSupplier", "ConsumptionSale", "Decision", "DemoVillage", "Donation", "Enterprise", "Exchange", "FundProject",
    "FundingKind", "LabourPlacement", "LedgerRecord", "Meeting", "NoticeStage", "PairingRecord", "Park",
    "PolicyDocument", "ProjectFunding", "ProjectMilestone", "ProjectNotice",
    "Reconciliation", "RevivalTraining", "TrainingClass", "Visit", "WanYuanField", "Workshop",
]
