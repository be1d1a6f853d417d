// The tray app's service principals for real: kept in the Secret Service of run-with-keyring.sh's
// private keyring, tokens from azid-sandbox's client credentials grant over TLS, one app with a
// secret and one with a certificate (made with openssl). A new instance over a new
// store reads them back as the app does after a restart; a locked keyring is an error, not a list.
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/storagefailure.h"
#include "azid/model/jwt.h"
#include "azid/model/serviceprincipals.h"

#include "keyringcontrol.h"
#include "sandbox.h"
#include "selfsignedcertificate.h"
#include "testwait.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using azid::test::await;

namespace {
// Why a result failed, for a failing check's message (empty when it did not).
template <typename T> QString why(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Profile = QStringLiteral("serviceprincipals");
} // namespace

class TestServicePrincipals : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    QTemporaryDir m_dir;
    QString m_certificateApp;
    QByteArray m_certificatePem; // key and certificate

    ConfidentialClientOptions sandboxOptions() const
    {
        ConfidentialClientOptions options;
        options.disableInstanceDiscovery = true;
        options.http.caBundleFile = m_sandbox.caFile();
        return options;
    }
    std::unique_ptr<ServicePrincipals> principals()
    {
        return std::make_unique<ServicePrincipals>(std::make_shared<KeychainSecretStore>(Profile),
                                                   sandboxOptions());
    }
    ServicePrincipal principal(const QString &name, const QString &clientId, ServicePrincipal::Kind kind)
    {
        return ServicePrincipal{{}, name, m_sandbox.authority(), Contoso, clientId, kind};
    }
    static QString appOf(const Result<AccessToken> &token)
    {
        if (!token)
            return QStringLiteral("error: ") + token.error().toString();
        const DecodedToken decoded = decodeJwt(token.value().token.revealString());
        const QString appid = decoded.claims.value(QStringLiteral("appid")).toString();
        return appid.isEmpty() ? decoded.claims.value(QStringLiteral("azp")).toString() : appid;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        const auto made = test::SelfSignedCertificate::make(m_dir.path(), QStringLiteral("app"));
        QVERIFY(!made.keyAndCertificatePem.isEmpty());
        const QByteArray certificatePem = made.certificatePem;
        m_certificatePem = made.keyAndCertificatePem;
        // More than one keychain item holds: the certificate is split.
        QVERIFY(m_certificatePem.size() > SecretStore::MaxItemSize);
        m_certificateApp = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QJsonObject registered =
            m_sandbox
                .control("POST", QStringLiteral("apps"),
                         QJsonDocument(QJsonObject{{QStringLiteral("client_id"), m_certificateApp},
                                                   {QStringLiteral("certificates"),
                                                    QJsonArray{QString::fromLatin1(certificatePem)}}}))
                .object();
        QVERIFY2(registered.value(QStringLiteral("ok")).toBool(),
                 QJsonDocument(registered).toJson().constData());
    }

    void addListTokenRemove()
    {
        auto first = principals();
        ServicePrincipalSecret secret;
        secret.clientSecret = Secret::fromString(DaemonSecret);
        const auto withSecret = await(
            first->add(principal(QStringLiteral("Daemon"), Daemon, ServicePrincipal::Kind::Secret), secret));
        QVERIFY2(withSecret.ok(), qPrintable(why(withSecret)));
        ServicePrincipalSecret certificate;
        certificate.certificate = Secret(m_certificatePem);
        const auto withCertificate =
            await(first->add(principal(QStringLiteral("Certificate app"), m_certificateApp,
                                       ServicePrincipal::Kind::Certificate),
                             certificate));
        QVERIFY2(withCertificate.ok(), qPrintable(why(withCertificate)));
        first.reset();

        // After a restart: a new instance over a new store reads both back, in the order they were added.
        auto restarted = principals();
        const auto listed = await(restarted->list());
        QVERIFY2(listed.ok(), qPrintable(why(listed)));
        QCOMPARE(listed.value(), (QList<ServicePrincipal>{withSecret.value(), withCertificate.value()}));

        // Tokens through the secret and the certificate read from the keychain.
        const int before =
            m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials"));
        QCOMPARE(appOf(await(restarted->token(listed.value().at(0), Arm))), Daemon);
        QCOMPARE(appOf(await(restarted->token(listed.value().at(1), Arm))), m_certificateApp);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")),
                 before + 2);

        // Removed: gone from the list and its items gone from the keychain.
        QVERIFY(await(restarted->remove(withCertificate.value().id)).ok());
        const auto after = await(principals()->list());
        QVERIFY(after.ok());
        QCOMPARE(after.value(), QList<ServicePrincipal>{withSecret.value()});
        KeychainSecretStore store(Profile);
        const auto piece = await(store.read(ServicePrincipals::secretKey(withCertificate.value().id, 0)));
        QVERIFY(piece.ok() && !piece.value());
        QVERIFY(await(restarted->remove(withSecret.value().id)).ok());
        QVERIFY(await(principals()->list()).value().isEmpty());
    }

    // Configuration errors come back at once and nothing is stored.
    void invalidConfigurationIsRefused()
    {
        auto store = principals();
        ServicePrincipalSecret empty;
        const auto added = await(
            store->add(principal(QStringLiteral("Empty"), Daemon, ServicePrincipal::Kind::Secret), empty));
        QVERIFY(!added.ok());
        QVERIFY(added.error().invalidConfiguration);
        ServicePrincipal http = principal(QStringLiteral("Http"), Daemon, ServicePrincipal::Kind::Secret);
        http.authority = QStringLiteral("http://login.example.test");
        ServicePrincipalSecret secret;
        secret.clientSecret = Secret::fromString(DaemonSecret);
        const auto insecure = await(store->add(http, secret));
        QVERIFY(!insecure.ok() && insecure.error().invalidConfiguration);
        QVERIFY(await(store->list()).value().isEmpty());
    }

    // Two adds at once (a person adding while the first is still stored) are both listed.
    void addsAtOnceAreBothListed()
    {
        auto store = principals();
        ServicePrincipalSecret secret;
        secret.clientSecret = Secret::fromString(DaemonSecret);
        auto first =
            store->add(principal(QStringLiteral("One"), Daemon, ServicePrincipal::Kind::Secret), secret);
        auto second =
            store->add(principal(QStringLiteral("Two"), Daemon, ServicePrincipal::Kind::Secret), secret);
        QVERIFY(await(second).ok());
        QVERIFY(await(first).ok());
        const auto listed = await(principals()->list());
        QVERIFY(listed.ok());
        QCOMPARE(listed.value().size(), 2);
        for (const ServicePrincipal &each : listed.value())
            QVERIFY(await(store->remove(each.id)).ok());
    }

    // A locked keychain is an error of list and add, never an empty list. Runs last: it locks the keyring.
    void lockedKeychainIsAnError()
    {
        auto store = principals();
        ServicePrincipalSecret secret;
        secret.clientSecret = Secret::fromString(DaemonSecret);
        QVERIFY(await(store->add(principal(QStringLiteral("Daemon"), Daemon, ServicePrincipal::Kind::Secret),
                                 secret))
                    .ok());
        QVERIFY(test::keyring::lock());
        const auto listed = await(principals()->list());
        QVERIFY(!listed.ok());
        QCOMPARE(storageFailure(listed.error()), StorageFailure::KeychainLocked);
        QVERIFY(!await(store->add(principal(QStringLiteral("Other"), Daemon, ServicePrincipal::Kind::Secret),
                                  secret))
                     .ok());
        QVERIFY(test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING)));
        QVERIFY(QTest::qWaitFor([this] { return await(principals()->list()).ok(); }, 30000));
        QCOMPARE(await(principals()->list()).value().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestServicePrincipals)
#include "tst_serviceprincipals.moc"
