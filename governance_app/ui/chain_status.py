"""The status bar's audit-chain line: "audit chain ✓ verified 10:42 CET" or "✕ broken at #N",
followed by whether this machine's newest receipt (a witness kept outside the workspace) is in
the chain: "· newest receipt #41 in the chain".

A verification runs in a worker when the window opens a workspace, and again whenever the
chain's head has moved after some task ended (an import, a signature, a review opened or
withdrawn, a checkpoint), so the line always describes the trail as it stands. The head check
is one cheap query through the audit service. The Audit view's Verify result is shown here too:
any worker running :func:`audit_models.verify` reports to this line.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from governance_app.domain.audit import ChainHead, VerificationReport
from governance_app.ui.audit_models import FAIL_COLOUR, PASS_COLOUR, verify
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import Worker

log = logging.getLogger(__name__)


class ChainStatus(QObject):
    """Owns the audit-chain label of the status bar and keeps it current."""

    sig_reported = Signal(object)
    """Emitted with each :class:`VerificationReport` shown."""

    def __init__(self, status: QStatusBar, ctx: ViewContext, *, start: bool = True) -> None:
        super().__init__(status)
        self.ctx = ctx
        self.report: VerificationReport | None = None
        self.label = QLabel("audit chain: not verified yet")
        self.label.setObjectName("ChainStatusLabel")
        # Created before the task widgets (MainWindow), so appending puts it first; Qt counts
        # insertPermanentWidget's index over all items and warned at 0 after a plain widget.
        status.addPermanentWidget(self.label)
        self._checked: tuple[str, ChainHead | None] | None = None
        self._running: Worker | None = None
        ctx.runner.sig_started.connect(self._on_runner_started)
        ctx.runner.sig_ended.connect(self._on_runner_ended)
        if start:
            self.verify()

    def verify(self) -> None:
        """Verify the chain, checkpoints and signatures of the open workspace in a worker."""
        if self._running is not None:
            return
        self._checked = (self.ctx.workspace.url, self._head())
        self.label.setText("audit chain: verifying…")
        worker = Worker(verify, self.ctx.workspace.url, description="Verifying the audit chain")
        self._running = worker
        self.ctx.runner.start(worker)  # _on_runner_started connects its result

    def show_report(self, report: VerificationReport) -> None:
        """Show a verdict with an icon, a word and a colour (never colour alone)."""
        self.report = report
        now = datetime.now().astimezone()
        first = report.first_broken
        if first is None:
            witness = f" · {report.witness}" if report.witness else ""
            self.label.setText(f"<span style='color:{PASS_COLOUR}'>audit chain ✓ verified "
                               f"{now:%H:%M} {now.tzname()}{witness}</span>")
            self.label.setToolTip(
                f"{report.events} events, head #{report.head.seq} {report.head.hash[:16]}…; "
                f"{report.checkpoints} checkpoints and {report.signatures} signatures hold.")
        else:
            where = f"#{first.seq}" if first.seq is not None else first.where
            witness = f" · {report.witness}" if report.witness else ""
            self.label.setText(f"<span style='color:{FAIL_COLOUR}'><b>audit chain ✕ broken at "
                               f"{where}</b>{witness}</span>")
            self.label.setToolTip(f"checked {now:%H:%M} {now.tzname()}: {first.describe()}")
        self.sig_reported.emit(report)

    def _head(self) -> ChainHead | None:
        # Imported here: services.audit loads cryptography, which the first window can do without.
        from governance_app.services import audit as audit_service

        try:
            return audit_service.head(self.ctx.workspace)
        except Exception:  # a closing or unreachable workspace: the next check tries again
            log.debug("reading the audit chain head failed", exc_info=True)
            return None

    def _on_runner_started(self, worker: Worker) -> None:
        if worker.fn is verify:  # ours, or the Audit view's Verify
            worker.signals.sig_finished.connect(self.show_report)

    def _on_runner_ended(self, worker: Worker) -> None:
        if worker is self._running:
            self._running = None
            if self.report is None or self.label.text().endswith("verifying…"):
                self._show_not_verified(worker)
        if self._running is None and self._checked != (self.ctx.workspace.url, self._head()):
            self.verify()  # the trail moved (or the workspace changed) since the last check

    def _show_not_verified(self, worker: Worker) -> None:
        if worker.is_cancelled():
            self.label.setText("audit chain: verification cancelled")
        elif self.label.text().endswith("verifying…"):
            self.label.setText("audit chain: could not verify")
            self.label.setToolTip("The verification failed to run; use Verify in the Audit view "
                                  "to see why.")
