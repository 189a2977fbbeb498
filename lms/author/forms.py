from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from ..i18n import lazy_gettext as _l


class ActionForm(FlaskForm):
    """A button that changes something (publish, discard, roll back)."""


class EditForm(FlaskForm):
    text = TextAreaField(_l("Markdown"))
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
    path = StringField(_l("Folder"), default="images")
    file = FileField(_l("Image (png, jpg, gif, webp)"), validators=[FileRequired()])


class ZipForm(FlaskForm):
    file = FileField(_l("Zip of a course folder"), validators=[FileRequired()])
