// The confidential-client credentials for real: client secret, certificate (PEM and PKCS#12), client
// assertion callback, authorization code and on-behalf-of, over TLS on loopback against azid-sandbox,
// which verifies client assertions with the certificates the tests register. Certificates are made
// with the openssl command line; a log capture proves no secret of the run was logged.
#include "azid/authorizationcodecredential.h"
#include "azid/certificatecredential.h"
#include "azid/clientassertioncredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/onbehalfofcredential.h"
#include "azid/usernamepasswordcredential.h"

#include "clientcertificate.h"
#include "credentialtesting.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "oauth.h"
#include "sandbox.h"
#include "secretsseen.h"
#include "testwait.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QUuid>
#include <QtTest>

#include <stdexcept>

using namespace azid;
using namespace azid::test;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Vault = QStringLiteral("https://vault.azure.net/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Fabrikam = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");
const QString MiddleTierSecret = QStringLiteral("middle-tier-secret-1");
const QString PfxPassword = QStringLiteral("pfx-password-1");
const QString RedirectUri = QStringLiteral("http://localhost:8400/callback");

QString newClientId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}
} // namespace

class TestConfidential : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::FakeClock m_clock;
    QTemporaryDir m_dir;
    QString m_certificateApp; // registered with rsa.crt and leaf.crt
    QString m_middleTier;     // registered with a secret and rsa.crt
    test::SecretsSeen m_secretsSeen;

    template <typename Options> Options options(std::shared_ptr<TokenCache> cache = {})
    {
        return m_sandbox.credentialOptions<Options>(&m_clock, std::move(cache));
    }

    TokenResult token(TokenCredential &credential, const TokenRequestOptions &request)
    {
        return m_secretsSeen.getToken(credential, request);
    }

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QByteArray read(const QString &name) const
    {
        QFile file(path(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    bool openssl(const QStringList &arguments)
    {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(QStringLiteral("openssl"), arguments);
        const bool ok = process.waitForFinished(60000) && process.exitCode() == 0;
        if (!ok)
            qWarning().noquote() << "openssl failed:" << process.readAllStandardError();
        return ok;
    }
    bool selfSigned(const QString &stem, const QStringList &keyOptions)
    {
        return openssl(
            QStringList{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey")} +
            keyOptions +
            QStringList{QStringLiteral("-nodes"), QStringLiteral("-keyout"), stem + QStringLiteral(".key"),
                        QStringLiteral("-out"), stem + QStringLiteral(".crt"), QStringLiteral("-subj"),
                        QStringLiteral("/CN=") + stem, QStringLiteral("-days"), QStringLiteral("2")});
    }
    void writeFile(const QString &name, const QByteArray &data)
    {
        QFile file(path(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(data);
    }

    QJsonObject registerApp(const QJsonObject &registration)
    {
        return m_sandbox.control("POST", QStringLiteral("apps"), QJsonDocument(registration)).object();
    }

    QJsonArray tokenRequests()
    {
        QJsonArray requests;
        for (const QJsonValue &value : m_sandbox.control("GET", QStringLiteral("requests")).array()) {
            if (value.toObject().value(QStringLiteral("endpoint")).toString() == QStringLiteral("token"))
                requests.append(value);
        }
        return requests;
    }

    QString tokenEndpoint(const QString &tenant = Contoso) const
    {
        return m_sandbox.authority() + QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/token");
    }

    std::shared_ptr<const detail::ClientCertificate> certificate(const QString &file)
    {
        auto loaded = detail::ClientCertificate::loadFile(path(file), {});
        return loaded.ok() ? loaded.value() : nullptr;
    }

    // An assertion as a workload identity provider would hand it out, signed with rsa.key.
    Secret assertion(const QString &clientId, qint64 now)
    {
        const auto signedAssertion =
            certificate(QStringLiteral("rsa.pem"))->createAssertion(clientId, tokenEndpoint(), now, false);
        m_secretsSeen << signedAssertion.value().revealString();
        return signedAssertion.value();
    }

    // An access token for the middle tier, from a user's sign-in.
    Secret userAssertion(const QString &username, const QString &password, const QString &audience)
    {
        auto o = options<UsernamePasswordCredentialOptions>();
        o.username = username;
        o.password = Secret::fromString(password);
        o.tenantId = Contoso;
        UsernamePasswordCredential user(o);
        const TokenResult result = token(user, tokenRequest({audience + QStringLiteral("/.default")}));
        return result.ok() ? result.value().token : Secret();
    }

    QString authorizationCode(const QString &clientId, const QString &scope)
    {
        QUrl authorize = m_sandbox.url();
        authorize.setPath(QLatin1Char('/') + Contoso + QStringLiteral("/oauth2/v2.0/authorize"));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("client_id"), clientId);
        query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
        query.addQueryItem(QStringLiteral("redirect_uri"), RedirectUri);
        query.addQueryItem(QStringLiteral("scope"), scope);
        query.addQueryItem(QStringLiteral("state"), QStringLiteral("state-1"));
        query.addQueryItem(QStringLiteral("login_hint"), QStringLiteral("alice@contoso.test"));
        authorize.setQuery(query);
        const QString code = QUrlQuery(m_sandbox.authorizeRedirect(authorize))
                                 .queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
        m_secretsSeen << code;
        return code;
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        QVERIFY(selfSigned(QStringLiteral("rsa"), {QStringLiteral("rsa:2048")}));
        QVERIFY(selfSigned(QStringLiteral("other"), {QStringLiteral("rsa:2048")}));
        QVERIFY(selfSigned(QStringLiteral("ec"), {QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                                                  QStringLiteral("ec_paramgen_curve:P-256")}));
        QVERIFY(selfSigned(QStringLiteral("ca"), {QStringLiteral("rsa:2048")}));
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                         QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("leaf.key"),
                         QStringLiteral("-out"), QStringLiteral("leaf.csr"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=leaf")}));
        QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                         QStringLiteral("leaf.csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                         QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                         QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                         QStringLiteral("-out"), QStringLiteral("leaf.crt")}));
        writeFile(QStringLiteral("rsa.pem"),
                  read(QStringLiteral("rsa.key")) + read(QStringLiteral("rsa.crt")));
        writeFile(QStringLiteral("other.pem"),
                  read(QStringLiteral("other.key")) + read(QStringLiteral("other.crt")));
        writeFile(QStringLiteral("ec.pem"), read(QStringLiteral("ec.key")) + read(QStringLiteral("ec.crt")));
        writeFile(QStringLiteral("chain.pem"), read(QStringLiteral("leaf.key")) +
                                                   read(QStringLiteral("leaf.crt")) +
                                                   read(QStringLiteral("ca.crt")));
        QVERIFY(openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-inkey"),
                         QStringLiteral("rsa.key"), QStringLiteral("-in"), QStringLiteral("rsa.crt"),
                         QStringLiteral("-passout"), QStringLiteral("pass:") + PfxPassword,
                         QStringLiteral("-out"), QStringLiteral("rsa.pfx")}));
        m_secretsSeen
            << DaemonSecret << MiddleTierSecret
            << QString::fromLatin1(read(QStringLiteral("rsa.key"))).section(QLatin1Char('\n'), 1, 1);

        m_certificateApp = newClientId();
        QJsonObject registered =
            registerApp({{QStringLiteral("client_id"), m_certificateApp},
                         {QStringLiteral("name"), QStringLiteral("certificate app")},
                         {QStringLiteral("certificates"),
                          QJsonArray{QString::fromLatin1(read(QStringLiteral("rsa.crt"))),
                                     QString::fromLatin1(read(QStringLiteral("leaf.crt")))}}});
        QVERIFY2(registered.value(QStringLiteral("ok")).toBool(),
                 QJsonDocument(registered).toJson().constData());
        QCOMPARE(registered.value(QStringLiteral("certificates")).toArray().size(), 2);
        m_middleTier = newClientId();
        registered = registerApp(
            {{QStringLiteral("client_id"), m_middleTier},
             {QStringLiteral("secret"), MiddleTierSecret},
             {QStringLiteral("certificate"), QString::fromLatin1(read(QStringLiteral("rsa.crt")))}});
        QVERIFY(registered.value(QStringLiteral("ok")).toBool());
    }

    void init()
    {
        m_sandbox.control("DELETE", QStringLiteral("faults"));
        m_sandbox.settings({{QStringLiteral("auto_approve"), true},
                            {QStringLiteral("access_token_lifetime"), 3600},
                            {QStringLiteral("refresh_in"), 0}});
        m_sandbox.clearRequests();
    }

    void controlApiRefusesBadRegistrations_data()
    {
        QTest::addColumn<QJsonObject>("registration");
        QTest::addColumn<QString>("error");
        QTest::newRow("taken client id") << QJsonObject{{QStringLiteral("client_id"), Daemon},
                                                        {QStringLiteral("secret"), QStringLiteral("x")}}
                                         << "exists already";
        QTest::newRow("no credential")
            << QJsonObject{{QStringLiteral("client_id"), newClientId()}} << "needs a secret or a certificate";
        QTest::newRow("bad PEM") << QJsonObject{{QStringLiteral("client_id"), newClientId()},
                                                {QStringLiteral("certificate"), QStringLiteral("not a PEM")}}
                                 << "certificate";
    }

    void controlApiRefusesBadRegistrations()
    {
        QFETCH(QJsonObject, registration);
        QFETCH(QString, error);
        const QJsonObject answer = registerApp(registration);
        QVERIFY(!answer.value(QStringLiteral("ok")).toBool());
        QVERIFY2(answer.value(QStringLiteral("error")).toString().contains(error),
                 qPrintable(answer.value(QStringLiteral("error")).toString()));
    }

    void clientSecretGetsAToken()
    {
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject claims = claimsOf(result.value().token);
        QCOMPARE(claims.value(QStringLiteral("appid")).toString(), Daemon);
        QCOMPARE(claims.value(QStringLiteral("tid")).toString(), Contoso);
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://management.azure.com"));
        QCOMPARE(claims.value(QStringLiteral("idtyp")).toString(), QStringLiteral("app"));
        QVERIFY(result.value().expiresOn > m_clock.now() + 3000);
        const QJsonArray requests = tokenRequests();
        QCOMPARE(requests.size(), 1);
        const QJsonObject sent = requests.first().toObject();
        QCOMPARE(sent.value(QStringLiteral("grant_type")).toString(), QStringLiteral("client_credentials"));
        QCOMPARE(sent.value(QStringLiteral("client_auth")).toString(), QStringLiteral("client_secret"));
        QCOMPARE(sent.value(QStringLiteral("scope")).toString(), Arm); // not decorated with OIDC scopes
        QCOMPARE(credential.tokenCache().accessTokenCount(), 1);
    }

    void cachedTokenIsServedWithoutTheNetwork()
    {
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>());
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY(first.ok());
        m_clock.advance(3600 - 301);
        const TokenResult second = token(credential, tokenRequest({Arm}));
        QVERIFY(second.ok());
        QCOMPARE(second.value().token, first.value().token);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
        // Another resource is another token.
        const TokenResult vault = token(credential, tokenRequest({Vault}));
        QVERIFY2(vault.ok(), qPrintable(describe(vault)));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
        // Credentials sharing a cache share its tokens.
        auto shared = options<ClientSecretCredentialOptions>();
        shared.cache = std::shared_ptr<TokenCache>(&credential.tokenCache(), [](TokenCache *) {});
        ClientSecretCredential other(Contoso, Daemon, Secret::fromString(DaemonSecret), shared);
        QCOMPARE(token(other, tokenRequest({Vault})).value().token, vault.value().token);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
    }

    void tokenIsRefreshedNearExpiryAndAFailedRefreshKeepsIt()
    {
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>());
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY(first.ok());
        m_clock.advance(3600 - 299); // inside the last 5 minutes: a refresh is due
        m_sandbox.fault({{QStringLiteral("endpoint"), QStringLiteral("token")},
                         {QStringLiteral("status"), 503},
                         {QStringLiteral("count"), 10}});
        const TokenResult during = token(credential, tokenRequest({Arm}));
        QVERIFY2(during.ok(), qPrintable(describe(during)));
        QCOMPARE(during.value().token, first.value().token);
        m_sandbox.control("DELETE", QStringLiteral("faults"));
        // The failed attempt holds further ones back for 30 s.
        m_sandbox.clearRequests();
        QCOMPARE(token(credential, tokenRequest({Arm})).value().token, first.value().token);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
        m_clock.advance(31);
        const TokenResult refreshed = token(credential, tokenRequest({Arm}));
        QVERIFY2(refreshed.ok(), qPrintable(describe(refreshed)));
        QVERIFY(!(refreshed.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
    }

    void refreshOnIsHonoured()
    {
        m_sandbox.settings({{QStringLiteral("refresh_in"), 600}});
        ClientAssertionCredential credential(
            Contoso, m_certificateApp,
            [this]() { return assertion(m_certificateApp, QDateTime::currentSecsSinceEpoch()); },
            options<ClientAssertionCredentialOptions>());
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(describe(first)));
        QCOMPARE(first.value().refreshOn.value_or(0), m_clock.now() + 600);
        m_clock.advance(601);
        const TokenResult second = token(credential, tokenRequest({Arm}));
        QVERIFY(second.ok());
        QVERIFY(!(second.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
    }

    // refresh_on for Entra's answers: refresh_in when sent, else half-way through a token of two hours
    // or more (as for managed identity), else none.
    void refreshOnOfLongLivedTokens_data()
    {
        QTest::addColumn<int>("lifetime");
        QTest::addColumn<int>("refreshIn");
        QTest::addColumn<qint64>("expectedRefreshIn"); // -1: no refresh_on
        QTest::newRow("one hour") << 3600 << 0 << qint64(-1);
        QTest::newRow("just under two hours") << 7199 << 0 << qint64(-1);
        QTest::newRow("two hours") << 7200 << 0 << qint64(3600);
        QTest::newRow("a day") << 86400 << 0 << qint64(43200);
        QTest::newRow("a day, refresh_in sent") << 86400 << 600 << qint64(600);
    }
    void refreshOnOfLongLivedTokens()
    {
        QFETCH(int, lifetime);
        QFETCH(int, refreshIn);
        QFETCH(qint64, expectedRefreshIn);
        m_sandbox.settings(
            {{QStringLiteral("access_token_lifetime"), lifetime}, {QStringLiteral("refresh_in"), refreshIn}});
        ClientSecretCredential credential(Contoso, Daemon, Secret::fromString(DaemonSecret),
                                          options<ClientSecretCredentialOptions>());
        const qint64 asked = m_clock.now();
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(describe(first)));
        QCOMPARE(first.value().expiresOn, asked + lifetime);
        QCOMPARE(first.value().refreshOn.value_or(asked - 1) - asked, expectedRefreshIn);
        if (expectedRefreshIn < 0)
            return;
        // Past refresh_on the credential asks again although the token is still valid.
        m_clock.advance(expectedRefreshIn);
        const TokenResult second = token(credential, tokenRequest({Arm}));
        QVERIFY2(second.ok(), qPrintable(describe(second)));
        QVERIFY(!(second.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
    }

    void concurrentRequestsShareOneTokenRequest()
    {
        CertificateCredential credential(Contoso, m_certificateApp, path(QStringLiteral("rsa.pem")),
                                         options<CertificateCredentialOptions>());
        QList<QFuture<TokenResult>> futures;
        for (int i = 0; i < 200; ++i)
            futures.append(credential.getTokenInfo(tokenRequest({Arm})));
        Secret first;
        for (const auto &future : futures) {
            const TokenResult result = await(future);
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            if (first.isEmpty())
                first = result.value().token;
            QCOMPARE(result.value().token, first);
        }
        m_secretsSeen << first.revealString();
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
    }

    void clientSecretErrors_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("wrong secret")
            << Daemon << "not-the-secret" << Arm << 401 << 7000215 << "Invalid client secret";
        QTest::newRow("unknown client")
            << newClientId() << DaemonSecret << Arm << 400 << 700016 << "was not found";
        QTest::newRow("secret of a certificate-only app")
            << m_certificateApp << DaemonSecret << Arm << 401 << 7000215 << "Invalid client secret";
        QTest::newRow("delegated scope")
            << Daemon << DaemonSecret << "User.Read" << 400 << 1002012 << "/.default";
    }

    void clientSecretErrors()
    {
        QFETCH(QString, clientId);
        QFETCH(QString, secret);
        QFETCH(QString, scope);
        QFETCH(int, status);
        QFETCH(int, code);
        QFETCH(QString, message);
        m_secretsSeen << secret;
        ClientSecretCredential credential(Contoso, clientId, Secret::fromString(secret),
                                          options<ClientSecretCredentialOptions>());
        const TokenResult result = token(credential, tokenRequest({scope}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(result.error().httpStatus, status);
        QVERIFY2(result.error().hasCode(code), qPrintable(result.error().toString()));
        QVERIFY2(result.error().message.startsWith(QStringLiteral("Authentication failed: ")) &&
                     result.error().message.contains(message),
                 qPrintable(result.error().message));
        QVERIFY(!result.error().correlationId.isEmpty());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1); // 4xx are not retried
    }

    void missingConfigurationFailsEveryRequest_data()
    {
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("message");
        QTest::newRow("no secret") << Contoso << Daemon << ""
                                   << "client secret is required";
        QTest::newRow("no tenant") << "" << Daemon << DaemonSecret << "tenant id is required";
        QTest::newRow("no client id") << Contoso << "" << DaemonSecret << "client id is required";
        QTest::newRow("invalid tenant") << "contoso/../x" << Daemon << DaemonSecret << "Invalid tenant ID";
    }

    void missingConfigurationFailsEveryRequest()
    {
        QFETCH(QString, tenant);
        QFETCH(QString, clientId);
        QFETCH(QString, secret);
        QFETCH(QString, message);
        ClientSecretCredential credential(tenant, clientId, Secret::fromString(secret),
                                          options<ClientSecretCredentialOptions>());
        for (int i = 0; i < 2; ++i) {
            const TokenResult result = token(credential, tokenRequest({Arm}));
            QVERIFY(!result.ok());
            // azure.identity's ValueError: a configuration error, which chains stop on.
            QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
            QVERIFY(result.error().invalidConfiguration);
            QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        }
        QVERIFY(credential.configurationError().has_value());
        QCOMPARE(tokenRequests().size(), 0);
    }

    void certificateCredentialGetsAToken_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("asBytes");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("sendChain");
        QTest::addColumn<int>("x5c");
        QTest::addColumn<QString>("x5tOf");
        QTest::newRow("PEM file") << "rsa.pem" << false << "" << false << -1 << "rsa.pem";
        QTest::newRow("PEM bytes") << "rsa.pem" << true << "" << false << -1 << "rsa.pem";
        QTest::newRow("PKCS12 file with password")
            << "rsa.pfx" << false << PfxPassword << false << -1 << "rsa.pem";
        QTest::newRow("PKCS12 bytes with password")
            << "rsa.pfx" << true << PfxPassword << false << -1 << "rsa.pem";
        QTest::newRow("send_certificate_chain, self-signed")
            << "rsa.pem" << false << "" << true << 1 << "rsa.pem";
        QTest::newRow("send_certificate_chain, leaf and CA")
            << "chain.pem" << false << "" << true << 2 << "chain.pem";
    }

    void certificateCredentialGetsAToken()
    {
        QFETCH(QString, file);
        QFETCH(bool, asBytes);
        QFETCH(QString, password);
        QFETCH(bool, sendChain);
        QFETCH(int, x5c);
        QFETCH(QString, x5tOf);
        auto o = options<CertificateCredentialOptions>();
        o.password = Secret::fromString(password);
        o.sendCertificateChain = sendChain;
        if (asBytes)
            o.certificateData = Secret(read(file));
        CertificateCredential credential(Contoso, m_certificateApp, asBytes ? QString() : path(file), o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("appid")).toString(), m_certificateApp);
        const QJsonObject sent = tokenRequests().first().toObject();
        QCOMPARE(sent.value(QStringLiteral("client_auth")).toString(), QStringLiteral("client_assertion"));
        const QJsonObject header = sent.value(QStringLiteral("assertion_header")).toObject();
        QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(header.value(QStringLiteral("typ")).toString(), QStringLiteral("JWT"));
        QCOMPARE(header.value(QStringLiteral("x5t")).toString(), certificate(x5tOf)->x5t());
        QCOMPARE(header.value(QStringLiteral("x5c")).toInt(-1), x5c);
        // A new token is a new assertion: the sandbox refuses a jti it has seen.
        const TokenResult vault = token(credential, tokenRequest({Vault}));
        QVERIFY2(vault.ok(), qPrintable(describe(vault)));
    }

    void certificateErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("refusedBeforeSending");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("PKCS12 with a wrong password") << "rsa.pfx"
                                                      << "wrong-password" << true << 0 << "password is wrong";
        QTest::newRow("EC key") << "ec.pem"
                                << "" << true << 0
                                << "must have an RSA private key because RS256 is used for signing";
        QTest::newRow("certificate not registered")
            << "other.pem"
            << "" << false << 700027 << "not registered on application";
    }

    void certificateErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, password);
        QFETCH(bool, refusedBeforeSending);
        QFETCH(int, code);
        QFETCH(QString, message);
        auto o = options<CertificateCredentialOptions>();
        o.password = Secret::fromString(password);
        CertificateCredential credential(Contoso, m_certificateApp, path(file), o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        // Refused before sending: a configuration error (azure.identity's ValueError).
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(result.error().invalidConfiguration, refusedBeforeSending);
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        if (code)
            QVERIFY2(result.error().hasCode(code), qPrintable(result.error().toString()));
        QCOMPARE(tokenRequests().size(), code ? 1 : 0);
    }

    void clientAssertionCallbackRunsForEachNewToken()
    {
        int calls = 0;
        ClientAssertionCredential credential(
            Contoso, m_certificateApp,
            [this, &calls]() {
                ++calls;
                return assertion(m_certificateApp, QDateTime::currentSecsSinceEpoch());
            },
            options<ClientAssertionCredentialOptions>());
        QVERIFY2(token(credential, tokenRequest({Arm})).ok(), "first token");
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        QCOMPARE(calls, 1); // the cached token needed no assertion
        QVERIFY(token(credential, tokenRequest({Vault})).ok());
        QCOMPARE(calls, 2);
        m_clock.advance(3600);
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        QCOMPARE(calls, 3);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 3);
    }

    void clientAssertionErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("expired") << "expired" << 700024 << "not within its valid time range";
        QTest::newRow("not yet valid") << "future" << 700024 << "not within its valid time range";
        QTest::newRow("signed with another key") << "forged" << 7000274 << "signature validation";
        QTest::newRow("another audience") << "audience" << 7000211 << "audience";
        QTest::newRow("another issuer") << "issuer" << 700021 << "doesn't match 'client_id'";
        QTest::newRow("unsupported algorithm") << "alg" << 5002738 << "not a supported signature algorithm";
        QTest::newRow("not a JWT") << "garbage" << 50027 << "invalid or malformed";
        QTest::newRow("empty assertion") << "empty" << 0 << "returned no assertion";
        QTest::newRow("callback throws") << "throws" << 0 << "callback failed: no identity provider";
    }

    void clientAssertionErrors()
    {
        QFETCH(QString, kind);
        QFETCH(int, code);
        QFETCH(QString, message);
        const auto rsa = certificate(QStringLiteral("rsa.pem"));
        const auto other = certificate(QStringLiteral("other.pem"));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        ClientAssertionCallback callback = [&]() -> Secret {
            QJsonObject header = rsa->assertionHeader(false);
            QJsonObject claims =
                detail::ClientCertificate::assertionClaims(m_certificateApp, tokenEndpoint(), now);
            const detail::ClientCertificate *signer = rsa.get();
            if (kind == QStringLiteral("expired"))
                claims =
                    detail::ClientCertificate::assertionClaims(m_certificateApp, tokenEndpoint(), now - 3600);
            else if (kind == QStringLiteral("future"))
                claims =
                    detail::ClientCertificate::assertionClaims(m_certificateApp, tokenEndpoint(), now + 3600);
            else if (kind == QStringLiteral("forged"))
                signer = other.get();
            else if (kind == QStringLiteral("audience"))
                claims.insert(QStringLiteral("aud"), tokenEndpoint(Fabrikam));
            else if (kind == QStringLiteral("issuer"))
                claims.insert(QStringLiteral("iss"), Daemon);
            else if (kind == QStringLiteral("alg"))
                header.insert(QStringLiteral("alg"), QStringLiteral("HS256"));
            else if (kind == QStringLiteral("garbage"))
                return Secret::fromString(QStringLiteral("not-a-jwt"));
            else if (kind == QStringLiteral("empty"))
                return {};
            else if (kind == QStringLiteral("throws"))
                throw std::runtime_error("no identity provider");
            Secret signedAssertion = signer->sign(header, claims).value();
            m_secretsSeen << signedAssertion.revealString();
            return signedAssertion;
        };
        ClientAssertionCredential credential(Contoso, m_certificateApp, callback,
                                             options<ClientAssertionCredentialOptions>());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        if (code) {
            QVERIFY2(result.error().hasCode(code), qPrintable(result.error().toString()));
            QCOMPARE(result.error().oauthError, QStringLiteral("invalid_client"));
            QCOMPARE(result.error().httpStatus, 401);
        }
        QCOMPARE(tokenRequests().size(), code ? 1 : 0);
    }

    void replayedAssertionIsRefused()
    {
        const Secret once = assertion(m_certificateApp, QDateTime::currentSecsSinceEpoch());
        ClientAssertionCredential credential(
            Contoso, m_certificateApp, [once]() { return once; },
            options<ClientAssertionCredentialOptions>());
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        const TokenResult replayed = token(credential, tokenRequest({Vault}));
        QVERIFY(!replayed.ok());
        QVERIFY2(replayed.error().hasCode(7000226), qPrintable(replayed.error().toString()));
    }

    void authorizationCodeIsRedeemedOnceThenRefreshed()
    {
        const QString code =
            authorizationCode(Daemon, Arm + QStringLiteral(" offline_access openid profile"));
        QVERIFY(!code.isEmpty());
        auto o = options<AuthorizationCodeCredentialOptions>();
        o.clientSecret = Secret::fromString(DaemonSecret);
        AuthorizationCodeCredential credential(Contoso, Daemon, Secret::fromString(code), RedirectUri, o);
        // Requests that arrive together share the one redemption.
        auto firstFuture = credential.getTokenInfo(tokenRequest({Arm}));
        auto secondFuture = credential.getTokenInfo(tokenRequest({Arm}));
        const TokenResult first = await(firstFuture);
        const TokenResult second = await(secondFuture);
        QVERIFY2(first.ok(), qPrintable(describe(first)));
        QVERIFY2(second.ok(), qPrintable(describe(second)));
        m_secretsSeen << first.value().token.revealString();
        QCOMPARE(second.value().token, first.value().token);
        QCOMPARE(claimsOf(first.value().token).value(QStringLiteral("upn")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
        QCOMPARE(tokenRequests().first().toObject().value(QStringLiteral("client_auth")).toString(),
                 QStringLiteral("client_secret"));

        // Another resource and an expired token: refreshed with the refresh token, never the code again.
        const TokenResult graph = token(credential, tokenRequest({Graph}));
        QVERIFY2(graph.ok(), qPrintable(describe(graph)));
        m_clock.advance(3600);
        const TokenResult later = token(credential, tokenRequest({Arm}));
        QVERIFY2(later.ok(), qPrintable(describe(later)));
        QVERIFY(!(later.value().token == first.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("authorization_code")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 2);
        QCOMPARE(credential.tokenCache().accounts().size(), 1);
        m_secretsSeen.rememberCachedTokens(credential.tokenCache());

        // Once refresh tokens are revoked only a new code helps.
        m_sandbox.control(
            "POST", QStringLiteral("revoke"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("alice@contoso.test")}}));
        m_clock.advance(3600);
        const TokenResult revoked = token(credential, tokenRequest({Arm}));
        QVERIFY(!revoked.ok());
        QCOMPARE(revoked.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY2(
            revoked.error().message.contains(QStringLiteral("No authorization code, cached access token, or "
                                                            "refresh token available")),
            qPrintable(revoked.error().message));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("authorization_code")), 1);
    }

    void failedRedemptionMayBeRetried()
    {
        const QString code =
            authorizationCode(Daemon, Arm + QStringLiteral(" offline_access openid profile"));
        auto o = options<AuthorizationCodeCredentialOptions>();
        o.clientSecret = Secret::fromString(DaemonSecret);
        o.http.maxRetries = 0;
        AuthorizationCodeCredential credential(Contoso, Daemon, Secret::fromString(code), RedirectUri, o);
        m_sandbox.fault(
            {{QStringLiteral("endpoint"), QStringLiteral("token")}, {QStringLiteral("status"), 503}});
        const TokenResult failed = token(credential, tokenRequest({Arm}));
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().httpStatus, 503);
        const TokenResult retried = token(credential, tokenRequest({Arm}));
        QVERIFY2(retried.ok(), qPrintable(describe(retried)));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("authorization_code")), 2);
    }

    void authorizationCodeErrors()
    {
        const QString code = authorizationCode(Daemon, Arm + QStringLiteral(" offline_access"));
        auto o = options<AuthorizationCodeCredentialOptions>();
        o.clientSecret = Secret::fromString(QStringLiteral("wrong-secret"));
        AuthorizationCodeCredential wrongSecret(Contoso, Daemon, Secret::fromString(code), RedirectUri, o);
        const TokenResult refused = token(wrongSecret, tokenRequest({Arm}));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().hasCode(7000215), qPrintable(refused.error().toString()));

        o.clientSecret = Secret::fromString(DaemonSecret);
        AuthorizationCodeCredential wrongRedirect(Contoso, Daemon, Secret::fromString(code),
                                                  QStringLiteral("http://localhost:9/elsewhere"), o);
        const TokenResult mismatch = token(wrongRedirect, tokenRequest({Arm}));
        QVERIFY(!mismatch.ok());
        QVERIFY2(mismatch.error().hasCode(50011), qPrintable(mismatch.error().toString()));

        AuthorizationCodeCredential reserved(Contoso, Daemon, Secret::fromString(code), RedirectUri, o);
        const TokenResult reservedScope = token(reserved, tokenRequest({QStringLiteral("offline_access")}));
        QVERIFY(!reservedScope.ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
    }

    void onBehalfOfExchangesTheUsersToken_data()
    {
        QTest::addColumn<QString>("clientCredential");
        QTest::newRow("client secret") << "secret";
        QTest::newRow("client certificate") << "certificate";
        QTest::newRow("client assertion") << "assertion";
    }

    void onBehalfOfExchangesTheUsersToken()
    {
        QFETCH(QString, clientCredential);
        const Secret alice =
            userAssertion(QStringLiteral("alice@contoso.test"), QStringLiteral("alice-password-1"),
                          QStringLiteral("api://") + m_middleTier);
        const Secret bob =
            userAssertion(QStringLiteral("bob@contoso.test"), QStringLiteral("bob-password-1"), m_middleTier);
        QVERIFY(!alice.isEmpty() && !bob.isEmpty());
        m_sandbox.clearRequests();
        auto cache = std::make_shared<TokenCache>();
        auto o = options<OnBehalfOfCredentialOptions>(cache);
        if (clientCredential == QStringLiteral("secret"))
            o.clientSecret = Secret::fromString(MiddleTierSecret);
        else if (clientCredential == QStringLiteral("certificate")) {
            o.clientCertificate = Secret(read(QStringLiteral("rsa.pfx")));
            o.password = Secret::fromString(PfxPassword);
        } else
            o.clientAssertionFunc = [this]() {
                return assertion(m_middleTier, QDateTime::currentSecsSinceEpoch());
            };

        OnBehalfOfCredential forAlice(Contoso, m_middleTier, alice, o);
        const TokenResult aliceGraph = token(forAlice, tokenRequest({Graph}));
        QVERIFY2(aliceGraph.ok(), qPrintable(describe(aliceGraph)));
        const QJsonObject claims = claimsOf(aliceGraph.value().token);
        QCOMPARE(claims.value(QStringLiteral("upn")).toString(), QStringLiteral("alice@contoso.test"));
        QCOMPARE(claims.value(QStringLiteral("appid")).toString(), m_middleTier);
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://graph.microsoft.com"));
        const QJsonObject sent = tokenRequests().first().toObject();
        QCOMPARE(sent.value(QStringLiteral("grant_type")).toString(),
                 QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer"));
        QCOMPARE(sent.value(QStringLiteral("client_auth")).toString(),
                 clientCredential == QStringLiteral("secret") ? QStringLiteral("client_secret")
                                                              : QStringLiteral("client_assertion"));
        QCOMPARE(token(forAlice, tokenRequest({Graph})).value().token, aliceGraph.value().token);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);

        // Bob's credential shares the cache but never Alice's tokens.
        OnBehalfOfCredential forBob(Contoso, m_middleTier, bob, o);
        const TokenResult bobGraph = token(forBob, tokenRequest({Graph}));
        QVERIFY2(bobGraph.ok(), qPrintable(describe(bobGraph)));
        QCOMPARE(claimsOf(bobGraph.value().token).value(QStringLiteral("upn")).toString(),
                 QStringLiteral("bob@contoso.test"));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 2);
        QCOMPARE(cache->accessTokenCount(), 2);

        // Near expiry the exchange runs again with the same user assertion.
        m_clock.advance(3600 - 200);
        const TokenResult renewed = token(forAlice, tokenRequest({Graph}));
        QVERIFY2(renewed.ok(), qPrintable(describe(renewed)));
        QVERIFY(!(renewed.value().token == aliceGraph.value().token));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 3);
    }

    void onBehalfOfErrors()
    {
        // A token for another API is not an assertion for the middle tier.
        const Secret armToken =
            userAssertion(QStringLiteral("alice@contoso.test"), QStringLiteral("alice-password-1"),
                          QStringLiteral("https://management.azure.com"));
        auto o = options<OnBehalfOfCredentialOptions>();
        o.clientSecret = Secret::fromString(MiddleTierSecret);
        OnBehalfOfCredential wrongAudience(Contoso, m_middleTier, armToken, o);
        TokenResult result = token(wrongAudience, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().hasCode(50013), qPrintable(result.error().toString()));
        QCOMPARE(result.error().oauthError, QStringLiteral("invalid_grant"));

        OnBehalfOfCredential forged(Contoso, m_middleTier,
                                    assertion(m_middleTier, QDateTime::currentSecsSinceEpoch()), o);
        result = token(forged, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().hasCode(50013), qPrintable(result.error().toString()));

        auto none = options<OnBehalfOfCredentialOptions>();
        OnBehalfOfCredential noCredential(Contoso, m_middleTier, armToken, none);
        result = token(noCredential, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication); // a configuration error
        QVERIFY(result.error().invalidConfiguration);
        QVERIFY2(result.error().message.contains(QStringLiteral("needs a client secret")),
                 qPrintable(result.error().message));

        auto both = o;
        both.clientAssertionFunc = []() { return Secret(); };
        OnBehalfOfCredential twoCredentials(Contoso, m_middleTier, armToken, both);
        result = token(twoCredentials, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("only one of")),
                 qPrintable(result.error().message));

        auto badCertificate = options<OnBehalfOfCredentialOptions>();
        badCertificate.clientCertificate = Secret(read(QStringLiteral("ec.pem")));
        OnBehalfOfCredential ec(Contoso, m_middleTier, armToken, badCertificate);
        result = token(ec, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(
                     QStringLiteral("\"client_certificate\" is not a valid certificate")) &&
                     result.error().message.contains(QStringLiteral("RSA")),
                 qPrintable(result.error().message));

        OnBehalfOfCredential noAssertion(Contoso, m_middleTier, Secret(), o);
        result = token(noAssertion, tokenRequest({Graph}));
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(QStringLiteral("user assertion")),
                 qPrintable(result.error().message));
    }

    void tenantRulesAreEnforced()
    {
        auto o = options<ClientSecretCredentialOptions>();
        ClientSecretCredential strict(Contoso, Daemon, Secret::fromString(DaemonSecret), o);
        const TokenResult refused = token(strict, tokenRequest({Arm}, {}, Fabrikam));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY(refused.error().message.contains(QStringLiteral("additionally_allowed_tenants")));
        QCOMPARE(token(strict, tokenRequest({Arm}, {}, Contoso)).ok(), true); // its own tenant, named

        o.additionallyAllowedTenants = {Fabrikam};
        ClientSecretCredential listed(Contoso, Daemon, Secret::fromString(DaemonSecret), o);
        const TokenResult other = token(listed, tokenRequest({Arm}, {}, Fabrikam));
        QVERIFY2(other.ok(), qPrintable(describe(other)));
        QCOMPARE(claimsOf(other.value().token).value(QStringLiteral("tid")).toString(), Fabrikam);
        const TokenResult home = token(listed, tokenRequest({Arm}));
        QVERIFY(home.ok());
        QCOMPARE(claimsOf(home.value().token).value(QStringLiteral("tid")).toString(), Contoso);
        QVERIFY(!token(listed, tokenRequest({Arm}, {}, QStringLiteral("bad/tenant"))).ok());

        auto wildcard = options<CertificateCredentialOptions>();
        wildcard.additionallyAllowedTenants = {QStringLiteral("*")};
        CertificateCredential any(Contoso, m_certificateApp, path(QStringLiteral("rsa.pem")), wildcard);
        const TokenResult viaCertificate = token(any, tokenRequest({Arm}, {}, Fabrikam));
        QVERIFY2(viaCertificate.ok(), qPrintable(describe(viaCertificate)));
        QCOMPARE(claimsOf(viaCertificate.value().token).value(QStringLiteral("tid")).toString(), Fabrikam);
    }

    void noSecretOfTheRunWasLogged()
    {
        m_secretsSeen.verifyNoneLogged(20, {QStringLiteral("client_assertion=")});
    }
};

QTEST_GUILESS_MAIN(TestConfidential)
#include "tst_confidential.moc"
