"""The "Label staff" group: the people who flip copy scan in the admin.

Members may view the whole catalogue and its copy-scan history, change
offers, and add, change and delete track offers (opting a track out of copy
scan may create one, re-enabling it may delete it). They may not change or
delete products or tracks, nor manage users. To log in to the admin a member
also needs "Staff status".

The permissions are listed here rather than imported, so that this migration
does the same on every database whatever the code becomes; a later change of
the role is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

GROUP = "Label staff"
PERMISSIONS = {
    "tracks": ["view_product", "view_track"],
    "offers": ["view_offer", "change_offer"],
    "trackoffers": [
        "view_trackoffer",
        "add_trackoffer",
        "change_trackoffer",
        "delete_trackoffer",
        "view_copyscanchange",
    ],
}


def create_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Django creates permissions after the last migration has run; on a new
    # database they do not exist yet, so create the catalogue's now.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = Q()
    for label, codenames in PERMISSIONS.items():
        wanted |= Q(content_type__app_label=label, codename__in=codenames)
    permissions = list(Permission.objects.using(using).filter(wanted))
    expected = sum(len(codenames) for codenames in PERMISSIONS.values())
    if len(permissions) != expected:
        raise RuntimeError(
            f"Found {len(permissions)} of the {expected} permissions of {GROUP}."
        )
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracks", "0001_initial"),
        ("offers", "0001_initial"),
        ("trackoffers", "0002_copyscanchange"),
    ]

    operations = [
        migrations.RunPython(create_group, delete_group),
    ]
