from flask import current_app
from flask_babel import format_decimal
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, StopValidation

from ..i18n import _
from ..i18n import lazy_gettext as _l


def megabytes(size: int) -> str:
    """A byte count as megabytes for a message, in the reader's number format (``2,5``)."""
    return format_decimal(round(size / 1_000_000, 1))


def file_size(storage) -> int:
    """The size of an uploaded file, found without reading it."""
    stream = storage.stream
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


class MaxBytes:
    """Refuse a text or a file over the size in the config key ``setting`` (e.g. ``LMS_MAX_TEXT_BYTES``)."""

    def __init__(self, setting: str):
        self.setting = setting

    def __call__(self, form, field) -> None:
        limit = current_app.config[self.setting]
        if isinstance(field.data, str):
            size = len(field.data.encode("utf-8", "replace"))
            message = _("The text is %(size)s MB; the limit is %(limit)s MB. Make it shorter or split it into "
                        "several files.", size=megabytes(size), limit=megabytes(limit))
        elif field.data is not None and hasattr(field.data, "stream"):
            size = file_size(field.data)
            message = _("The file is %(size)s MB; the limit is %(limit)s MB. Make it smaller and upload it again.",
                        size=megabytes(size), limit=megabytes(limit))
        else:
            return
        if size > limit:
            raise StopValidation(message)


class ActionForm(FlaskForm):
    """A button that changes something (publish, discard, roll back, remove an editor)."""


class EditForm(FlaskForm):
    text = TextAreaField(_l("Markdown"), validators=[MaxBytes("LMS_MAX_TEXT_BYTES")])
    action = HiddenField(default="save")
    #: the fingerprint of the text this editor started from (services.studio.revision)
    base = HiddenField(validators=[Length(max=64)])
    #: "mine": the author saw the other editor's version and keeps theirs own
    overwrite = HiddenField(validators=[Length(max=8)])


class NewCourseForm(FlaskForm):
    slug = StringField(_l("Address (a-z, 0-9, -)"), validators=[DataRequired(), Length(max=63),
                                                                Regexp(r"^[a-z0-9][a-z0-9-]*$")])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language"), choices=[SelectChoice("ru", "Русский"), SelectChoice("en", "English"),
                                                     SelectChoice("ar", "العربية")])


class NewFileForm(FlaskForm):
    path = StringField(_l("File name, e.g. 01-start/02-next-lesson.md"), validators=[DataRequired(), Length(max=300)])


class UploadForm(FlaskForm):
    path = StringField(_l("Folder"), default="images", validators=[Length(max=200)])
    file = FileField(_l("Image (png, jpg, gif, webp)"), validators=[FileRequired(_l("Choose an image to upload.")),
                                                                     MaxBytes("LMS_MAX_ASSET_BYTES")])


class ZipForm(FlaskForm):
    file = FileField(_l("Zip of a course folder"), validators=[FileRequired(_l("Choose a zip file to import.")),
                                                               MaxBytes("LMS_MAX_ZIP_BYTES")])


class EditorForm(FlaskForm):
    email = StringField(_l("E-mail of a trainer"), validators=[
        DataRequired(_l("Give the e-mail of the trainer to add.")), Length(max=254)])


class OutlineForm(FlaskForm):
    """One edit of a course's outline; the view reads the fields that edit needs."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    module = StringField(validators=[Length(max=63)])
    stem = StringField(validators=[Length(max=63)])
    kind = StringField(validators=[Length(max=40)])
    path = StringField(validators=[Length(max=300)])
    language = StringField(validators=[Length(max=2)])
    direction = StringField(validators=[Length(max=4)])
    order = StringField(validators=[Length(max=4000)])


def one_line(value: str | None) -> str:
    """A note typed or pasted in: one line, its spaces trimmed."""
    return " ".join((value or "").split())


class PublishForm(FlaskForm):
    """Publishing asks what changed: one line, shown with the version in the list of versions."""

    note = StringField(_l("What changed in this version?"), filters=[one_line], validators=[
        DataRequired(_l("Write in one line what changed, then publish: the note is shown in the list of versions.")),
        Length(max=200, message=_l("The note is longer than 200 characters. Make it one short line."))])
