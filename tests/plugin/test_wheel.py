"""The built wheel carries templates, static files, migrations and translations."""
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HOST = textwrap.dedent('''
    import sys
    from pathlib import Path
    from flask import Flask
    import lms
    from lms import LMS, Identity
    from lms.migrate import upgrade
    from lms.state import state

    assert Path(lms.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), lms.__file__
    app = Flask("wheel_host", root_path=str(Path.cwd()))
    app.config.update(SECRET_KEY="x", LMS_DATABASE_URI="sqlite:///" + str(Path.cwd() / "w.sqlite"))
    ext = LMS(app)
    ext.identity_loader(lambda: Identity(id="1", name="Wheel", email="w@example.com"))
    with app.app_context():
        upgrade(state().engine)
    client = app.test_client()
    page = client.get("/training/", headers={"Accept-Language": "ru"})
    css = client.get("/training/static/lms/lms.css")
    print(page.status_code, css.status_code)
    print(page.get_data(as_text=True))
''')


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_renders_a_page(tmp_path):
    if os.environ.get("LMS_TEST_DATABASE_URL"):
        pytest.skip("the wheel test does not touch the test database; it runs in the SQLite pass")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True, cwd=tmp_path)
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    str(wheel)], check=True)
    # Dependencies come from the test environment; the editable install there is not visible
    # because .pth files inside an added path are not processed.
    site_packages = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    Path(site_packages, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "host.py").write_text(HOST)
    result = subprocess.run([python, "host.py"], cwd=work, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("200 200")
    assert "Моё обучение" in result.stdout  # template and compiled catalogue from the wheel
