"""``member seal-key`` / ``member import-cert``: an organisation-issued certificate for a member's
document key, accepted only for that key, P-256, valid now; later seals carry it and verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from governance_app.cli import main
from governance_app.errors import InputError
from governance_app.reports.manifest import extract_manifest
from governance_app.services import audit_report, reports, seal_certificates
from governance_app.store.schema_governance import SqlAuditEvent
from tests.governance.review_helpers import Board, make_board, passphrase

CHAIR = "Ana Lima"


@pytest.fixture
def board(workspace_url: str, tmp_path: Path) -> Board:
    return make_board(workspace_url, tmp_path / "board", {CHAIR: (["chair"], "ana@example.org")})


def _ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Meridian Issuing CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Meridian Bank")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=900))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def _issue(public_key, *, days: tuple[int, int] = (-1, 365), signing: bool = True) -> bytes:
    ca_cert, ca_key = _ca()
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CHAIR)]))
               .issuer_name(ca_cert.subject).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now + timedelta(days=days[0]))
               .not_valid_after(now + timedelta(days=days[1]))
               .add_extension(x509.KeyUsage(digital_signature=signing, content_commitment=signing,
                                            key_encipherment=not signing,
                                            data_encipherment=False, key_agreement=False,
                                            key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False),
                              critical=True))
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _key(board: Board):
    return seal_certificates.document_key(board.ws, CHAIR, passphrase(CHAIR),
                                          board.key_files[CHAIR], csr=True)


def test_csr_then_issued_certificate_seals_later_reports(board: Board) -> None:
    before = reports.build_model_card(board.ws, "credit_scorer:1", board.folder / "old.pdf",
                                      CHAIR, passphrase(CHAIR), key_file=board.key_files[CHAIR])
    key = _key(board)
    request = x509.load_pem_x509_csr(key.csr_pem.encode())
    assert request.is_signature_valid
    assert request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CHAIR
    cert_file = board.folder / "issued.pem"
    cert_file.write_bytes(_issue(request.public_key()))
    imported = seal_certificates.import_certificate(board.ws, CHAIR, cert_file,
                                                    passphrase(CHAIR), board.key_files[CHAIR])
    assert "Meridian Issuing CA" in imported.issuer
    assert imported.public_key_pem == key.public_key_pem
    assert imported.certificate_sha256 in reports.member_certificates(board.ws)
    with board.ws.session() as session:
        payload = session.scalars(select(SqlAuditEvent.payload).where(
            SqlAuditEvent.kind == "member.seal-key").order_by(SqlAuditEvent.seq.desc())).first()
    assert payload["act"]["body"]["source"] == "imported" and payload["signature"]  # a signed act
    after = audit_report.build_audit_report(board.ws, board.folder / "new.pdf", CHAIR,
                                            passphrase(CHAIR), key_file=board.key_files[CHAIR])
    sealed_with = extract_manifest(after.path.read_bytes())["producer"]
    assert sealed_with["seal_certificate_sha256"] == imported.certificate_sha256
    assert reports.verify_report(after.path, board.ws).ok
    assert reports.verify_report(before.path, board.ws).ok  # the old certificate still counts
    data = audit_report.gather_audit(board.ws, None, None, None, CHAIR)
    assert [c.source for c in data.certificates] == ["self-signed", "imported"]


@pytest.mark.parametrize(("case", "words"), [
    ("another-key", "for another key"),
    ("expired", "expired on"),
    ("not-yet-valid", "not valid before"),
    ("p384", "ECDSA on secp384r1"),
    ("rsa", "RSA key"),
    ("no-signing", "key usage does not allow signing"),
    ("garbage", "not a readable X.509 certificate"),
])
def test_import_refuses_with_the_reason(board: Board, case: str, words: str) -> None:
    key = x509.load_pem_x509_csr(_key(board).csr_pem.encode()).public_key()
    pem = {
        "another-key": lambda: _issue(ec.generate_private_key(ec.SECP256R1()).public_key()),
        "expired": lambda: _issue(key, days=(-400, -1)),
        "not-yet-valid": lambda: _issue(key, days=(2, 400)),
        "p384": lambda: _issue(ec.generate_private_key(ec.SECP384R1()).public_key()),
        "rsa": lambda: _issue(rsa.generate_private_key(65537, 2048).public_key()),
        "no-signing": lambda: _issue(key, signing=False),
        "garbage": lambda: b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
    }[case]()
    cert_file = board.folder / f"{case}.pem"
    cert_file.write_bytes(pem)
    trusted = reports.member_certificates(board.ws)
    with pytest.raises(InputError) as caught:
        seal_certificates.import_certificate(board.ws, CHAIR, cert_file, passphrase(CHAIR),
                                             board.key_files[CHAIR])
    assert words in str(caught.value) and str(cert_file) in str(caught.value)
    assert reports.member_certificates(board.ws) == trusted


def test_cli_seal_key_and_import_cert(board: Board, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    secret = board.folder / "pass.txt"
    secret.write_text(passphrase(CHAIR) + "\n")
    common = ["--passphrase-file", str(secret), "--key-file", str(board.key_files[CHAIR])]
    request = board.folder / "req.pem"
    url = board.ws.url
    assert main(["--db", url, "member", "seal-key", CHAIR, "--csr", str(request), *common]) == 0
    shown = capsys.readouterr().out
    assert "BEGIN PUBLIC KEY" in shown and "wrote the certificate request" in shown
    assert main(["--db", url, "member", "seal-key", CHAIR, "--csr", str(request),
                 *common]) == 2  # never over an existing file
    assert "exists" in capsys.readouterr().err
    csr = x509.load_pem_x509_csr(request.read_bytes())
    good = board.folder / "good.pem"
    good.write_bytes(_issue(csr.public_key()))
    assert main(["--db", url, "member", "import-cert", CHAIR, str(good), *common]) == 0
    assert "now sealed with the certificate issued by Meridian" in capsys.readouterr().out
    bad = board.folder / "bad.pem"
    bad.write_bytes(_issue(csr.public_key(), days=(-30, -2)))
    assert main(["--db", url, "member", "import-cert", CHAIR, str(bad), *common]) == 2
    assert "expired" in capsys.readouterr().err
    assert main(["--db", url, "member", "import-cert", CHAIR, *common]) == 2
    assert "certificate file is missing" in capsys.readouterr().err
