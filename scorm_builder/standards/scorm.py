"""What SCORM 1.2 and 2004 packages share: a manifest from a template plus its schemas."""
from __future__ import annotations

from ..model import Course
from ..resources import manifest_templates
from ..validate.schemas import schema_set_dir
from .base import Files, single_sco, xml_id


def scorm_files(course: Course, content: Files, template: str, schema_set: str) -> Files:
    sco = single_sco(course, content, mastery_for_lms=True)
    manifest = manifest_templates().get_template(template).render(
        course=course,
        manifest_id=xml_id(course.id),
        organization_id=xml_id("org", course.id),
        scos=[sco],
    )
    files = dict(content)
    files["imsmanifest.xml"] = manifest.encode("utf-8")
    files.update(schema_files(schema_set))
    return files


def schema_files(schema_set: str) -> Files:
    """The official schema files of one set, unmodified, for the package root."""
    folder = schema_set_dir(schema_set)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}
