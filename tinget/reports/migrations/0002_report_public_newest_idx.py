from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(
                    ("is_hidden", False),
                    (
                        "state__in",
                        [
                            "action_scheduled",
                            "closed",
                            "duplicate",
                            "fixed",
                            "in_progress",
                            "internal_referral",
                            "investigating",
                            "no_further_action",
                            "not_responsible",
                            "open",
                        ],
                    ),
                ),
                fields=["-created_at", "-id", "latitude", "longitude", "state", "category", "title"],
                name="reports_public_newest_idx",
            ),
        ),
    ]
