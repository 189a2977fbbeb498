"""Routes of the HR reports: the completion report, its exports and the compliance matrix.

HR and admins see every employee; a trainer sees the members of the groups they
train (:class:`lms.services.reports.Scope`); anyone else gets 403. The exports
carry exactly the rows of the report with the same filters and order (every
page of it), streamed.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..core import reports as core
from ..i18n import _, current_language
from ..models import utcnow
from ..services import reports as service
from ..state import db_session
from ..web import NavItem, add_nav_item, roles_required, today
from . import exports, labels

bp = Blueprint("reports", __name__, url_prefix="/reports")

add_nav_item(bp, NavItem("lms.reports.completions", lambda: _("Reports"), ("hr", "trainer"), order=40,
                          landing=("hr",)))

REPORT_ROLES = ("hr", "trainer")


class ReportRequest:
    """What every report route needs: the viewer's scope, the filters, the course titles."""

    def __init__(self) -> None:
        self.session = db_session()
        self.scope = service.Scope.for_user(g.lms_user)
        parsed = core.parse_filters(request.args)
        self.filters = parsed.filters
        self.invalid = parsed.invalid
        self.courses = service.course_options(self.session, current_language())
        self.titles = {course.id: course.title for course in self.courses}
        self.today = today()
        self.now = utcnow()

    def rows(self) -> Iterator[core.ReportRow]:
        return service.stream_rows(self.session, self.scope, self.filters, self.titles, self.today, self.now)

    def download_name(self, extension: str) -> str:
        return f"completions-{self.today.isoformat()}.{extension}"

    def warn_invalid(self) -> None:
        if self.invalid:
            flash(_("Some filters were not understood and were ignored: %(names)s",
                    names=", ".join(self.invalid)), "error")


@bp.get("/")
@roles_required(*REPORT_ROLES)
def index() -> ResponseReturnValue:
    return redirect(url_for("lms.reports.completions"))


@bp.get("/completions")
@roles_required(*REPORT_ROLES)
def completions() -> ResponseReturnValue:
    report = ReportRequest()
    report.warn_invalid()
    page = service.completion_page(report.session, report.scope, report.filters, report.titles,
                                   report.today, report.now)
    return render_template(
        "lms/reports/completions.html", report=page, filters=report.filters, courses=report.courses,
        groups=service.group_options(report.session, report.scope), headers=labels.column_headers(),
        statuses=labels.status_labels(), columns=core.COLUMNS, query_args=core.query_args,
        sort_link_args=core.sort_link_args, export_url=export_url,
    )


@bp.get("/completions.csv")
@roles_required(*REPORT_ROLES)
def completions_csv() -> ResponseReturnValue:
    report = ReportRequest()
    delimiter = core.DELIMITERS.get(request.args.get("delimiter", "comma"), ",")
    chunks = exports.csv_chunks(report.rows(), labels.header_list(), labels.status_label_function(), delimiter)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{report.download_name("csv")}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/completions.xlsx")
@roles_required(*REPORT_ROLES)
def completions_xlsx() -> ResponseReturnValue:
    report = ReportRequest()
    handle = exports.xlsx_file(report.rows(), labels.header_list(), labels.status_label_function(),
                               labels.sheet_name())
    response = send_file(
        handle, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True, download_name=report.download_name("xlsx"), max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/compliance")
@roles_required(*REPORT_ROLES)
def compliance() -> ResponseReturnValue:
    report = ReportRequest()
    # the matrix is narrowed by group only; it shows every status of every assigned course
    filters = core.ReportFilters(group_id=report.filters.group_id, page=report.filters.page)
    view = service.compliance(report.session, report.scope, filters, report.titles, report.today, report.now)
    return render_template(
        "lms/reports/compliance.html", matrix=view.matrix, page=view.page, filters=filters,
        groups=service.group_options(report.session, report.scope), statuses=labels.status_labels(),
        status_order=core.STATUSES, query_args=core.query_args,
    )


def export_url(endpoint: str, filters: core.ReportFilters, **extra: str) -> str:
    """The export of what the report shows: the same filters and order, every page."""
    # typed as url_for's free **values (not its _external, _method... keywords); a key in both still raises
    args: dict[str, Any] = core.query_args(filters, page=None)
    more: dict[str, Any] = extra
    return url_for(endpoint, **args, **more)

