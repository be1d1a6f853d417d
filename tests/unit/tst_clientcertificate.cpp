// Loading client certificates (PEM and PKCS#12, with and without passwords, RSA only) and the client
// assertion JWT that CertificateCredential signs with them, checked against the openssl command line.

#include "azid/certificatecredential.h"
#include "clientcertificate.h"
#include "oauth.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace azid;
using namespace azid::detail;

namespace {

const QString Password = QStringLiteral("pfx-password-1");
const QString Audience = QStringLiteral("https://login.example.test/tenant/oauth2/v2.0/token");
const QString ClientId = QStringLiteral("0c1b2a39-4857-6a7b-8c9d-0e1f2a3b4c5d");

} // namespace

class TestClientCertificate : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QByteArray read(const QString &name) const
    {
        QFile file(path(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    void write(const QString &name, const QByteArray &data) const
    {
        QFile file(path(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(data);
    }
    // Runs openssl in the temporary folder; stdout when it succeeded, a failed check otherwise.
    QByteArray openssl(const QStringList &arguments)
    {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(QStringLiteral("openssl"), arguments);
        if (!process.waitForFinished(60000) || process.exitCode() != 0) {
            qWarning().noquote() << "openssl" << arguments.join(QLatin1Char(' '))
                                 << "failed:" << process.readAllStandardError();
            return QByteArray("FAILED");
        }
        return process.readAllStandardOutput();
    }
    void makeSelfSigned(const QString &stem, const QStringList &keyOptions)
    {
        QVERIFY(
            openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey")} +
                    keyOptions +
                    QStringList{QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                                stem + QStringLiteral(".key"), QStringLiteral("-out"),
                                stem + QStringLiteral(".crt"), QStringLiteral("-subj"),
                                QStringLiteral("/CN=") + stem, QStringLiteral("-days"),
                                QStringLiteral("2")}) != "FAILED");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        makeSelfSigned(QStringLiteral("rsa"), {QStringLiteral("rsa:2048")});
        makeSelfSigned(QStringLiteral("other"), {QStringLiteral("rsa:2048")});
        makeSelfSigned(QStringLiteral("ec"), {QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                                              QStringLiteral("ec_paramgen_curve:P-256")});
        write(QStringLiteral("key-then-cert.pem"),
              read(QStringLiteral("rsa.key")) + read(QStringLiteral("rsa.crt")));
        write(QStringLiteral("cert-then-key.pem"),
              read(QStringLiteral("rsa.crt")) + read(QStringLiteral("rsa.key")));
        write(QStringLiteral("ec.pem"), read(QStringLiteral("ec.key")) + read(QStringLiteral("ec.crt")));
        write(QStringLiteral("mismatch.pem"),
              read(QStringLiteral("other.key")) + read(QStringLiteral("rsa.crt")));
        QVERIFY(openssl({QStringLiteral("pkey"), QStringLiteral("-in"), QStringLiteral("rsa.key"),
                         QStringLiteral("-aes256"), QStringLiteral("-passout"),
                         QStringLiteral("pass:") + Password, QStringLiteral("-out"),
                         QStringLiteral("rsa-encrypted.key")}) != "FAILED");
        write(QStringLiteral("encrypted.pem"),
              read(QStringLiteral("rsa-encrypted.key")) + read(QStringLiteral("rsa.crt")));
        QVERIFY(openssl({QStringLiteral("rsa"), QStringLiteral("-in"), QStringLiteral("rsa.key"),
                         QStringLiteral("-traditional"), QStringLiteral("-out"),
                         QStringLiteral("rsa-traditional.key")}) != "FAILED");
        write(QStringLiteral("traditional.pem"),
              read(QStringLiteral("rsa-traditional.key")) + read(QStringLiteral("rsa.crt")));
        // A leaf signed by a CA of its own, for the x5c chain.
        makeSelfSigned(QStringLiteral("ca"), {QStringLiteral("rsa:2048")});
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                         QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("leaf.key"),
                         QStringLiteral("-out"), QStringLiteral("leaf.csr"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=leaf")}) != "FAILED");
        QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                         QStringLiteral("leaf.csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                         QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                         QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                         QStringLiteral("-out"), QStringLiteral("leaf.crt")}) != "FAILED");
        // CA first on purpose: the certificate of the key must still come first in x5c.
        write(QStringLiteral("chain.pem"), read(QStringLiteral("ca.crt")) + read(QStringLiteral("leaf.key")) +
                                               read(QStringLiteral("leaf.crt")));
        const QStringList export12{QStringLiteral("pkcs12"), QStringLiteral("-export"),
                                   QStringLiteral("-inkey"), QStringLiteral("rsa.key"),
                                   QStringLiteral("-in"),    QStringLiteral("rsa.crt")};
        QVERIFY(openssl(export12 + QStringList{QStringLiteral("-passout"), QStringLiteral("pass:") + Password,
                                               QStringLiteral("-out"), QStringLiteral("password.pfx")}) !=
                "FAILED");
        QVERIFY(openssl(export12 + QStringList{QStringLiteral("-passout"), QStringLiteral("pass:"),
                                               QStringLiteral("-out"), QStringLiteral("nopassword.pfx")}) !=
                "FAILED");
        QVERIFY(openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-inkey"),
                         QStringLiteral("leaf.key"), QStringLiteral("-in"), QStringLiteral("leaf.crt"),
                         QStringLiteral("-certfile"), QStringLiteral("ca.crt"), QStringLiteral("-passout"),
                         QStringLiteral("pass:") + Password, QStringLiteral("-out"),
                         QStringLiteral("chain.pfx")}) != "FAILED");
        QVERIFY(openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-nokeys"),
                         QStringLiteral("-in"), QStringLiteral("rsa.crt"), QStringLiteral("-passout"),
                         QStringLiteral("pass:") + Password, QStringLiteral("-out"),
                         QStringLiteral("nokey.pfx")}) != "FAILED");
        QVERIFY(openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-inkey"),
                         QStringLiteral("ec.key"), QStringLiteral("-in"), QStringLiteral("ec.crt"),
                         QStringLiteral("-passout"), QStringLiteral("pass:"), QStringLiteral("-out"),
                         QStringLiteral("ec.pfx")}) != "FAILED");
        write(QStringLiteral("garbage.bin"), QByteArray("\x30\x82\x01\x00not a certificate at all", 27));
    }

    void loading_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("leaf"); // certificate whose thumbprint is expected; empty: an error
        QTest::addColumn<int>("chainLength");
        QTest::addColumn<QString>("error");
        QTest::newRow("PEM, key then certificate") << "key-then-cert.pem"
                                                   << ""
                                                   << "rsa.crt" << 1 << "";
        QTest::newRow("PEM, certificate then key") << "cert-then-key.pem"
                                                   << ""
                                                   << "rsa.crt" << 1 << "";
        QTest::newRow("PEM, a password that is not needed")
            << "key-then-cert.pem" << Password << "rsa.crt" << 1 << "";
        QTest::newRow("PEM, traditional RSA key") << "traditional.pem"
                                                  << ""
                                                  << "rsa.crt" << 1 << "";
        QTest::newRow("PEM, encrypted key") << "encrypted.pem" << Password << "rsa.crt" << 1 << "";
        QTest::newRow("PEM, encrypted key without password") << "encrypted.pem"
                                                             << ""
                                                             << "" << 0 << "give the certificate's password";
        QTest::newRow("PEM, encrypted key with a wrong password") << "encrypted.pem"
                                                                  << "nope"
                                                                  << "" << 0 << "password is wrong";
        QTest::newRow("PEM, CA before the leaf") << "chain.pem"
                                                 << ""
                                                 << "leaf.crt" << 2 << "";
        QTest::newRow("PEM, certificate only") << "rsa.crt"
                                               << ""
                                               << "" << 0 << "must include its private key";
        QTest::newRow("PEM, key only") << "rsa.key"
                                       << ""
                                       << "" << 0 << "holds no certificate";
        QTest::newRow("PEM, key of another certificate") << "mismatch.pem"
                                                         << ""
                                                         << "" << 0 << "None of the certificates";
        QTest::newRow("PEM, EC key") << "ec.pem"
                                     << ""
                                     << "" << 0 << "RSA private key";
        QTest::newRow("PKCS12 with password") << "password.pfx" << Password << "rsa.crt" << 1 << "";
        QTest::newRow("PKCS12 with a wrong password") << "password.pfx"
                                                      << "wrong"
                                                      << "" << 0 << "password is wrong";
        QTest::newRow("PKCS12 without the password it needs") << "password.pfx"
                                                              << ""
                                                              << "" << 0 << "protected by a password";
        QTest::newRow("PKCS12 without password") << "nopassword.pfx"
                                                 << ""
                                                 << "rsa.crt" << 1 << "";
        QTest::newRow("PKCS12 with a CA") << "chain.pfx" << Password << "leaf.crt" << 2 << "";
        QTest::newRow("PKCS12 without key")
            << "nokey.pfx" << Password << "" << 0 << "must include its private key";
        QTest::newRow("PKCS12, EC key") << "ec.pfx"
                                        << ""
                                        << "" << 0 << "RSA private key";
        QTest::newRow("neither PEM nor PKCS12")
            << "garbage.bin"
            << ""
            << "" << 0 << "Failed to deserialize certificate in PEM or PKCS12 format";
        QTest::newRow("no such file") << "missing.pem"
                                      << ""
                                      << "" << 0 << "Cannot read the certificate file";
    }

    void loading()
    {
        QFETCH(QString, file);
        QFETCH(QString, password);
        QFETCH(QString, leaf);
        QFETCH(int, chainLength);
        QFETCH(QString, error);
        const auto fromFile = ClientCertificate::loadFile(path(file), Secret::fromString(password));
        QCOMPARE(fromFile.ok(), !leaf.isEmpty());
        if (!fromFile.ok()) {
            QVERIFY2(fromFile.error().message.contains(error), qPrintable(fromFile.error().message));
            QCOMPARE(fromFile.error().kind, ErrorKind::CredentialUnavailable);
            return;
        }
        // Bytes load the same as the file.
        const auto fromBytes = ClientCertificate::load(Secret(read(file)), Secret::fromString(password));
        QVERIFY(fromBytes.ok());
        QCOMPARE(fromBytes.value()->x5c(), fromFile.value()->x5c());

        const QStringList chain = fromFile.value()->x5c();
        QCOMPARE(chain.size(), chainLength);
        const QByteArray leafDer = openssl({QStringLiteral("x509"), QStringLiteral("-in"), leaf,
                                            QStringLiteral("-outform"), QStringLiteral("DER")});
        QCOMPARE(QByteArray::fromBase64(chain.first().toLatin1()), leafDer);
    }

    void x5tIsTheSha1FingerprintOpensslPrints_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("certificate");
        QTest::newRow("self-signed") << "key-then-cert.pem"
                                     << "rsa.crt";
        QTest::newRow("CA-signed leaf") << "chain.pem"
                                        << "leaf.crt";
    }

    void x5tIsTheSha1FingerprintOpensslPrints()
    {
        QFETCH(QString, file);
        QFETCH(QString, certificate);
        const auto loaded = ClientCertificate::loadFile(path(file), {});
        QVERIFY(loaded.ok());
        // "SHA1 Fingerprint=AB:CD:..."
        const QString printed =
            QString::fromLatin1(
                openssl({QStringLiteral("x509"), QStringLiteral("-in"), certificate, QStringLiteral("-noout"),
                         QStringLiteral("-fingerprint"), QStringLiteral("-sha1")}))
                .trimmed();
        const QByteArray hex = printed.section(QLatin1Char('='), 1).remove(QLatin1Char(':')).toLatin1();
        QCOMPARE(hex.size(), 40);
        QCOMPARE(loaded.value()->thumbprintSha1().toHex().toUpper(), hex.toUpper());
        QCOMPARE(loaded.value()->x5t(), QString::fromLatin1(base64UrlEncode(QByteArray::fromHex(hex))));
        QCOMPARE(loaded.value()->x5t().size(), 27); // 20 bytes, base64url without padding
    }

    void assertion_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("includeChain");
        QTest::addColumn<int>("x5cLength");
        QTest::newRow("without x5c") << "key-then-cert.pem" << false << 0;
        QTest::newRow("with x5c, self-signed") << "key-then-cert.pem" << true << 1;
        QTest::newRow("with x5c, leaf and CA") << "chain.pem" << true << 2;
    }

    void assertion()
    {
        QFETCH(QString, file);
        QFETCH(bool, includeChain);
        QFETCH(int, x5cLength);
        const auto loaded = ClientCertificate::loadFile(path(file), {});
        QVERIFY(loaded.ok());
        const ClientCertificate &certificate = *loaded.value();
        const qint64 now = 1'700'000'000;
        const auto signedAssertion = certificate.createAssertion(ClientId, Audience, now, includeChain);
        QVERIFY(signedAssertion.ok());
        const QByteArray jwt = signedAssertion.value().reveal();
        QCOMPARE(jwt.count('.'), 2);
        QVERIFY(!jwt.contains('=')); // base64url without padding in every part

        const QJsonObject header = decodeJwtHeader(jwt).value_or(QJsonObject());
        QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(header.value(QStringLiteral("typ")).toString(), QStringLiteral("JWT"));
        QCOMPARE(header.value(QStringLiteral("x5t")).toString(), certificate.x5t());
        QCOMPARE(header.contains(QStringLiteral("x5c")), includeChain);
        const QJsonArray x5c = header.value(QStringLiteral("x5c")).toArray();
        QCOMPARE(x5c.size(), x5cLength);
        for (int i = 0; i < x5c.size(); ++i)
            QCOMPARE(x5c[i].toString(), certificate.x5c()[i]);

        const QJsonObject claims = decodeJwtPayload(jwt).value_or(QJsonObject());
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), Audience);
        QCOMPARE(claims.value(QStringLiteral("iss")).toString(), ClientId);
        QCOMPARE(claims.value(QStringLiteral("sub")).toString(), ClientId);
        QCOMPARE(claims.value(QStringLiteral("iat")).toInteger(), now);
        QCOMPARE(claims.value(QStringLiteral("nbf")).toInteger(), now);
        QCOMPARE(claims.value(QStringLiteral("exp")).toInteger(), now + 600);
        QVERIFY(!QUuid::fromString(claims.value(QStringLiteral("jti")).toString()).isNull());
        const auto again = certificate.createAssertion(ClientId, Audience, now, includeChain);
        QVERIFY(again.ok());
        QVERIFY(decodeJwtPayload(again.value().reveal())->value(QStringLiteral("jti")) !=
                claims.value(QStringLiteral("jti")));

        // The signature verifies with the certificate's public key (RSASSA-PKCS1-v1_5, SHA-256).
        const qsizetype lastDot = jwt.lastIndexOf('.');
        write(QStringLiteral("input.txt"), jwt.left(lastDot));
        write(QStringLiteral("signature.bin"), *base64UrlDecode(jwt.mid(lastDot + 1)));
        const QString certificateFile =
            file == QStringLiteral("chain.pem") ? QStringLiteral("leaf.crt") : QStringLiteral("rsa.crt");
        QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-in"), certificateFile,
                         QStringLiteral("-pubkey"), QStringLiteral("-noout"), QStringLiteral("-out"),
                         QStringLiteral("public.pem")}) != "FAILED");
        QCOMPARE(openssl({QStringLiteral("dgst"), QStringLiteral("-sha256"), QStringLiteral("-verify"),
                          QStringLiteral("public.pem"), QStringLiteral("-signature"),
                          QStringLiteral("signature.bin"), QStringLiteral("input.txt")})
                     .trimmed(),
                 QByteArray("Verified OK"));
    }

    void credentialConfigurationErrors_data()
    {
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("withData");
        QTest::addColumn<QString>("error");
        QTest::newRow("no certificate") << "contoso.test" << ClientId << "" << false << "neither";
        QTest::newRow("path and data") << "contoso.test" << ClientId << "key-then-cert.pem" << true << "both";
        QTest::newRow("EC key") << "contoso.test" << ClientId << "ec.pem" << false << "RSA private key";
        QTest::newRow("no tenant") << "" << ClientId << "key-then-cert.pem" << false
                                   << "tenant id is required";
        QTest::newRow("invalid tenant")
            << "bad/tenant" << ClientId << "key-then-cert.pem" << false << "Invalid tenant ID";
        QTest::newRow("no client id") << "contoso.test"
                                      << ""
                                      << "key-then-cert.pem" << false << "client id is required";
    }

    void credentialConfigurationErrors()
    {
        QFETCH(QString, tenant);
        QFETCH(QString, clientId);
        QFETCH(QString, file);
        QFETCH(bool, withData);
        QFETCH(QString, error);
        CertificateCredentialOptions options;
        if (withData)
            options.certificateData = Secret(read(QStringLiteral("key-then-cert.pem")));
        CertificateCredential credential(tenant, clientId, file.isEmpty() ? QString() : path(file), options);
        const auto future =
            credential.getTokenInfo({{QStringLiteral("https://vault.azure.net/.default")}, {}, {}, false});
        QVERIFY(future.isFinished()); // refused before anything is sent
        const TokenResult result = future.result();
        QVERIFY(!result.ok());
        // azure.identity's ValueError: a configuration error, which chains stop on.
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY(result.error().invalidConfiguration);
        QVERIFY2(result.error().message.contains(error), qPrintable(result.error().message));
    }
};

QTEST_GUILESS_MAIN(TestClientCertificate)
#include "tst_clientcertificate.moc"
