"""Run by the PostgreSQL drill in a process of its own, against the drill's throwaway cluster:
`prepare N` creates a school, its administrator and a validated, confirmed upload of N pupils and
prints the upload id; `commit ID` commits it; `count ID` prints the upload's status and how many
pupils its school has."""
import sys

import django


def main() -> None:
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Role
    from accounts.services import user_create
    from students.models import Student
    from tests.factories import SchoolFactory
    from tests.uploads.conftest import PUPIL_HEADER, csv_bytes, pupil_rows
    from uploads.models import Upload
    from uploads.services import upload_commit, upload_confirm, upload_create, upload_validate

    action, arg = sys.argv[1], int(sys.argv[2])
    if action == "prepare":
        school = SchoolFactory(province_id="01")
        user = user_create(username=f"drill-{school.pk}", password="drill-password-2026", role=Role.SCHOOL,
                           school_id=school.pk, may_view_id_numbers=True)
        content = csv_bytes(PUPIL_HEADER, pupil_rows(arg))
        upload = upload_create(user=user, kind="pupils", enqueue=False,
                               file=SimpleUploadedFile("drill.csv", content, content_type="text/csv"))
        upload = upload_validate(upload_id=upload.pk)
        assert upload.can_commit, upload.message
        upload_confirm(user=user, upload_id=upload.pk, enqueue=False)
        print(upload.pk)
    elif action == "commit":
        print(upload_commit(upload_id=arg).status)
    elif action == "count":
        upload = Upload.objects.get(pk=arg)
        print(upload.status, Student.objects.filter(school_id=upload.school_id).count())


if __name__ == "__main__":
    main()
