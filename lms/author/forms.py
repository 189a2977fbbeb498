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
