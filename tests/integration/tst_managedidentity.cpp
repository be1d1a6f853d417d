// ManagedIdentityCredential against azid-msi-emulator: every hosting environment over real HTTP (and
// Service Fabric's pinned TLS) on loopback, chosen by environment variables as azure.identity does,
// with the endpoints' failure answers, IMDS's retries and probe, and a log capture that proves no
// secret of the run was logged.
#include "azid/chainedtokencredential.h"
#include "azid/managedidentitycredential.h"

#include "credentialtesting.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "msiemulator.h"
#include "secretsseen.h"
#include "testseams.h"
#include "testwait.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using namespace azid::test;

namespace {

const QString Vault = QStringLiteral("https://vault.azure.net/.default");
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Storage = QStringLiteral("https://storage.azure.com/.default");

} // namespace

class TestManagedIdentity : public QObject
{
    Q_OBJECT

private:
    test::MsiEmulator m_emulator;
    test::FakeClock m_clock;
    QTemporaryDir m_files;
    QJsonObject m_settings; // the emulator's defaults: secrets and identities
    test::SecretsSeen m_secretsSeen;
    std::unique_ptr<detail::ScopedTestSeams> m_arcKeys;

    QString setting(const char *name) const { return m_settings.value(QString::fromLatin1(name)).toString(); }
    QJsonObject userIdentity() const
    {
        return m_settings.value(QStringLiteral("user_assigned")).toArray().first().toObject();
    }
    QJsonObject systemIdentity() const
    {
        return m_settings.value(QStringLiteral("system_identity")).toObject();
    }

    ManagedIdentityCredentialOptions options(const QStringList &variables)
    {
        ManagedIdentityCredentialOptions o;
        o.environment = environmentOf(variables);
        o.clock = &m_clock;
        o.http.retryBaseDelay = std::chrono::milliseconds(1);
        o.http.maxRetryDelay = std::chrono::milliseconds(50);
        return o;
    }
    // A credential made while IMDS's address is `base` (a test seam: unlike
    // AZURE_POD_IDENTITY_AUTHORITY_HOST, it keeps the probe).
    static std::shared_ptr<ManagedIdentityCredential> withImdsAt(const QString &base,
                                                                 const ManagedIdentityCredentialOptions &o)
    {
        detail::TestSeams seams = detail::testSeams();
        seams.imdsEndpoint = base;
        const detail::ScopedTestSeams scope(seams);
        return std::make_shared<ManagedIdentityCredential>(o);
    }
    QStringList imds() const
    {
        return {QStringLiteral("AZURE_POD_IDENTITY_AUTHORITY_HOST=") + m_emulator.url().toString()};
    }
    QStringList appService() const
    {
        return {QStringLiteral("IDENTITY_ENDPOINT=") + m_emulator.endpoint(QStringLiteral("/msi/token")),
                QStringLiteral("IDENTITY_HEADER=") + setting("identity_header")};
    }
    QStringList arc() const
    {
        return {QStringLiteral("IDENTITY_ENDPOINT=") +
                    m_emulator.endpoint(QStringLiteral("/arc/metadata/identity/oauth2/token")),
                QStringLiteral("IMDS_ENDPOINT=") + m_emulator.endpoint(QStringLiteral("/arc"))};
    }
    QStringList cloudShell() const
    {
        return {QStringLiteral("MSI_ENDPOINT=") + m_emulator.endpoint(QStringLiteral("/cloudshell/token"))};
    }
    QStringList azureMl() const
    {
        return {QStringLiteral("MSI_ENDPOINT=") + m_emulator.endpoint(QStringLiteral("/azureml/token")),
                QStringLiteral("MSI_SECRET=") + setting("msi_secret")};
    }
    QStringList serviceFabric(const QString &thumbprint = {}) const
    {
        return {QStringLiteral("IDENTITY_ENDPOINT=") +
                    m_emulator.endpoint(QStringLiteral("/metadata/identity/oauth2/token"), true),
                QStringLiteral("IDENTITY_HEADER=") + setting("identity_header"),
                QStringLiteral("IDENTITY_SERVER_THUMBPRINT=") +
                    (thumbprint.isEmpty() ? m_emulator.thumbprint() : thumbprint)};
    }

    TokenResult token(TokenCredential &credential, const TokenRequestOptions &request)
    {
        return m_secretsSeen.getToken(credential, request);
    }

    // A port nothing listens on.
    static quint16 closedPort()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost);
        return server.serverPort();
    }

    QString writeFile(const QString &path, const QByteArray &contents)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(contents);
        return path;
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY(m_files.isValid());
        QVERIFY2(m_emulator.start(), qPrintable(m_emulator.errorString()));
        m_emulator.reset();
        m_settings = m_emulator.settings();
        QVERIFY(!setting("identity_header").isEmpty());
        m_secretsSeen << setting("identity_header") << setting("msi_secret");
        // Azure Arc's key files are where the emulator writes them, for every credential of the run.
        m_arcKeys = std::make_unique<detail::ScopedTestSeams>(
            detail::TestSeams{QString(), m_emulator.arcKeyDirectory()});
    }

    void cleanupTestCase() { m_arcKeys.reset(); }

    void init() { m_emulator.reset(); }

    void choosesTheHostingEnvironment_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("name");
        QTest::newRow("imds") << imds() << QStringLiteral("IMDS");
        QTest::newRow("app service") << appService() << QStringLiteral("App Service");
        QTest::newRow("arc") << arc() << QStringLiteral("Azure Arc");
        QTest::newRow("cloud shell") << cloudShell() << QStringLiteral("Cloud Shell");
        QTest::newRow("azure ml") << azureMl() << QStringLiteral("Azure ML");
        QTest::newRow("service fabric") << serviceFabric() << QStringLiteral("Service Fabric");
        QTest::newRow("none") << QStringList{QStringLiteral("IDENTITY_ENDPOINT=http://127.0.0.1:1/x")}
                              << QString();
    }

    void choosesTheHostingEnvironment()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, name);
        ManagedIdentityCredential credential(options(variables));
        QCOMPARE(credential.hostingEnvironment(), name);
        QCOMPARE(credential.name(), QStringLiteral("ManagedIdentityCredential"));
    }

    void identityEndpointAloneIsNoEndpoint()
    {
        ManagedIdentityCredential credential(options(
            {QStringLiteral("IDENTITY_ENDPOINT=") + m_emulator.endpoint(QStringLiteral("/msi/token"))}));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::CredentialUnavailable,
                    QStringLiteral("No managed identity endpoint found"));
        QCOMPARE(m_emulator.requests().size(), 0);
    }

    void imdsSystemAssigned()
    {
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject claims = claimsOf(result.value().token);
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), QStringLiteral("https://vault.azure.net"));
        QCOMPARE(claims.value(QStringLiteral("appid")).toString(),
                 systemIdentity().value(QStringLiteral("client_id")).toString());
        QCOMPARE(result.value().expiresOn, m_clock.now() + 86399);
        QCOMPARE(result.value().refreshOn.value_or(0), m_clock.now() + 86399 / 2);
        QCOMPARE(result.value().tokenType, QStringLiteral("Bearer"));

        const QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 1); // standalone: no probe
        const QJsonObject request = log.first().toObject();
        QCOMPARE(request.value(QStringLiteral("metadata")).toBool(), true);
        QCOMPARE(request.value(QStringLiteral("api_version")).toString(), QStringLiteral("2018-02-01"));
        QCOMPARE(request.value(QStringLiteral("resource")).toString(),
                 QStringLiteral("https://vault.azure.net"));
        QVERIFY(request.value(QStringLiteral("identity")).toObject().isEmpty());
    }

    void userAssignedIdentities_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("key");       // identity_config key; "client_id" alone uses clientId
        QTest::addColumn<QString>("idField");   // which id of the identity
        QTest::addColumn<QString>("parameter"); // what the endpoint must receive

        const struct
        {
            const char *row;
            QStringList variables;
            const char *source;
            const char *client;
            const char *object;
            const char *resource;
        } sources[] = {
            {"imds", imds(), "imds", "client_id", "object_id", "msi_res_id"},
            {"app service", appService(), "appservice", "client_id", "object_id", "mi_res_id"},
            {"arc", arc(), "arc", "client_id", "object_id", "msi_res_id"},
            {"azure ml", azureMl(), "azureml", "clientid", "object_id", "msi_res_id"},
        };
        for (const auto &s : sources) {
            const QString source = QString::fromLatin1(s.source);
            QTest::addRow("%s client id", s.row)
                << s.variables << source << QStringLiteral("client_id") << QStringLiteral("client_id")
                << QString::fromLatin1(s.client);
            QTest::addRow("%s object id", s.row)
                << s.variables << source << QStringLiteral("object_id") << QStringLiteral("object_id")
                << QString::fromLatin1(s.object);
            QTest::addRow("%s resource id", s.row)
                << s.variables << source << QStringLiteral("resource_id") << QStringLiteral("resource_id")
                << QString::fromLatin1(s.resource);
            QTest::addRow("%s mi_res_id spelling", s.row)
                << s.variables << source << QStringLiteral("mi_res_id") << QStringLiteral("resource_id")
                << QString::fromLatin1(s.resource);
        }
    }

    void userAssignedIdentities()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, source);
        QFETCH(QString, key);
        QFETCH(QString, idField);
        QFETCH(QString, parameter);
        const QString id = userIdentity().value(idField).toString();
        ManagedIdentityCredentialOptions o = options(variables);
        if (key == QLatin1String("client_id"))
            o.clientId = id;
        else
            o.identityConfig.insert(key, id);
        ManagedIdentityCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("appid")).toString(),
                 userIdentity().value(QStringLiteral("client_id")).toString());
        const QJsonArray log = m_emulator.requests(source);
        const QJsonObject sent = log.last().toObject().value(QStringLiteral("identity")).toObject();
        QCOMPARE(sent.keys(), QStringList{parameter});
        QCOMPARE(sent.value(parameter).toString(), id);
    }

    void unknownIdentityIsUnavailable_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("text");
        QTest::newRow("imds") << imds()
                              << QStringLiteral(
                                     "The requested identity has not been assigned to this resource");
        QTest::newRow("app service") << appService()
                                     << QStringLiteral(
                                            "App Service managed identity configuration not found");
        QTest::newRow("arc") << arc() << QStringLiteral("Azure Arc managed identity configuration not found");
        QTest::newRow("azure ml") << azureMl()
                                  << QStringLiteral("Azure ML managed identity configuration not found");
    }

    void unknownIdentityIsUnavailable()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, text);
        ManagedIdentityCredentialOptions o = options(variables);
        o.clientId = QStringLiteral("ffffffff-0000-4000-8000-00000000dead");
        ManagedIdentityCredential credential(o);
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::CredentialUnavailable, text);
    }

    void imdsNoSystemIdentity()
    {
        m_emulator.settings({{QStringLiteral("system_assigned"), false}});
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        expectError(result, ErrorKind::CredentialUnavailable,
                    QStringLiteral("No identity has been assigned to this resource"));
        QCOMPARE(result.error().oauthError, QStringLiteral("invalid_request"));
        QCOMPARE(m_emulator.requests(QStringLiteral("imds")).size(), 1); // 400 is not retried
    }

    void imdsRetries_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("failures");
        QTest::addColumn<bool>("succeeds");
        QTest::newRow("410 five times") << 410 << 5 << true;
        QTest::newRow("410 six times") << 410 << 6 << false;
        QTest::newRow("404 twice") << 404 << 2 << true;
        QTest::newRow("429") << 429 << 1 << true;
        QTest::newRow("500 six times") << 500 << 6 << false;
        QTest::newRow("503") << 503 << 3 << true;
    }

    void imdsRetries()
    {
        QFETCH(int, status);
        QFETCH(int, failures);
        QFETCH(bool, succeeds);
        QVERIFY(m_emulator.fault({{QStringLiteral("source"), QStringLiteral("imds")},
                                  {QStringLiteral("status"), status},
                                  {QStringLiteral("count"), failures}}));
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QCOMPARE(result.ok(), succeeds);
        if (!succeeds) {
            expectError(result, ErrorKind::CredentialUnavailable, QStringLiteral("HTTP %1").arg(status));
            QCOMPARE(result.error().httpStatus, status);
        }
        QCOMPARE(m_emulator.requests(QStringLiteral("imds")).size(), succeeds ? failures + 1 : 6);
    }

    void imdsBadAnswers_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<QString>("text");
        QTest::newRow("malformed json")
            << QJsonObject{{QStringLiteral("malformed"), true}} << QStringLiteral("not JSON");
        QTest::newRow("html 400") << QJsonObject{{QStringLiteral("status"), 400},
                                                 {QStringLiteral("body"), QStringLiteral("<html>bad</html>")},
                                                 {QStringLiteral("content_type"),
                                                  QStringLiteral("text/html")}}
                                  << QStringLiteral("HTTP 400");
        QTest::newRow("docker desktop")
            << QJsonObject{{QStringLiteral("status"), 403},
                           {QStringLiteral("body"),
                            QStringLiteral("connecting to 169.254.169.254:80: connecting to "
                                           "169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A "
                                           "socket operation was attempted to an unreachable network.")}}
            << QStringLiteral("unreachable");
        QTest::newRow("token without expiry")
            << QJsonObject{{QStringLiteral("status"), 200},
                           {QStringLiteral("json"),
                            QJsonObject{{QStringLiteral("access_token"), QStringLiteral("x")}}}}
            << QStringLiteral("no access token and expiry");
    }

    void imdsBadAnswers()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(QString, text);
        fault.insert(QStringLiteral("source"), QStringLiteral("imds"));
        QVERIFY(m_emulator.fault(fault));
        ManagedIdentityCredential credential(options(imds()));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::CredentialUnavailable, text);
    }

    void imdsNobodyListening()
    {
        ManagedIdentityCredential credential(options(
            {QStringLiteral("AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:%1").arg(closedPort())}));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::CredentialUnavailable,
                    QStringLiteral("no response from the IMDS endpoint"));
    }

    void imdsSlowAnswerIsNotAConnectionTimeout()
    {
        // Only connecting is limited to 2 s; IMDS may take longer to answer.
        QVERIFY(m_emulator.fault(
            {{QStringLiteral("source"), QStringLiteral("imds")}, {QStringLiteral("delay_ms"), 2500}}));
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(m_emulator.requests(QStringLiteral("imds")).size(), 1);
    }

    void imdsProbeThenRequest()
    {
        ManagedIdentityCredentialOptions o = options({});
        o.imdsProbe = true;
        const auto probing = withImdsAt(m_emulator.url().toString(), o);
        ManagedIdentityCredential &credential = *probing;
        QVERIFY2(token(credential, tokenRequest({Vault})).ok(), "the probe's 400 means IMDS is there");
        QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0].toObject().value(QStringLiteral("metadata")).toBool(), false);
        QCOMPARE(log[0].toObject().value(QStringLiteral("status")).toInt(), 400);
        QCOMPARE(log[1].toObject().value(QStringLiteral("metadata")).toBool(), true);
        // Availability is remembered: the next resource goes straight to IMDS.
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        QCOMPARE(m_emulator.requests(QStringLiteral("imds")).size(), 3);
    }

    // azure.identity probes IMDS inside any ChainedTokenCredential, not only DefaultAzureCredential:
    // a chain the caller built sends the probe first; the same credential asked directly does not.
    void imdsProbeInsideAnyChain()
    {
        auto inChain = withImdsAt(m_emulator.url().toString(), options({}));
        ChainedTokenCredential chain({inChain});
        const TokenResult chained = token(chain, tokenRequest({Vault}));
        QVERIFY2(chained.ok(), qPrintable(describe(chained)));
        QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0].toObject().value(QStringLiteral("metadata")).toBool(), false); // the probe
        QCOMPARE(log[1].toObject().value(QStringLiteral("metadata")).toBool(), true);

        m_emulator.reset();
        const auto alone = withImdsAt(m_emulator.url().toString(), options({}));
        QVERIFY(token(*alone, tokenRequest({Vault})).ok());
        log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 1);
        QCOMPARE(log[0].toObject().value(QStringLiteral("metadata")).toBool(), true);
    }

    // Nothing answers at the IMDS address: inside a chain the probe gives up at once and the chain
    // goes on to the next credential.
    void imdsProbeInsideAnyChainGivesUp()
    {
        auto unreachable = withImdsAt(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()), options({}));
        auto second = std::make_shared<ManagedIdentityCredential>(options(imds()));
        ChainedTokenCredential chain({unreachable, second});
        const TokenResult result = token(chain, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(chain.successfulCredential(), std::shared_ptr<TokenCredential>(second));
    }

    void imdsProbeFailsFast_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<bool>("listening");
        QTest::addColumn<QString>("text");
        QTest::newRow("nobody listening")
            << QJsonObject{} << false << QStringLiteral("no response from the IMDS endpoint");
        QTest::newRow("accepts, never answers") << QJsonObject{{QStringLiteral("delay_ms"), 4000}} << true
                                                << QStringLiteral("no response from the IMDS endpoint");
        QTest::newRow("docker desktop")
            << QJsonObject{{QStringLiteral("status"), 403},
                           {QStringLiteral("body"), QStringLiteral("unreachable network")}}
            << true << QStringLiteral("unreachable");
    }

    void imdsProbeFailsFast()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(bool, listening);
        QFETCH(QString, text);
        if (!fault.isEmpty()) {
            fault.insert(QStringLiteral("source"), QStringLiteral("imds"));
            QVERIFY(m_emulator.fault(fault));
        }
        ManagedIdentityCredentialOptions o = options({});
        o.withinDefaultChain = true;
        const auto probing = withImdsAt(listening ? m_emulator.url().toString()
                                                  : QStringLiteral("http://127.0.0.1:%1").arg(closedPort()),
                                        o);
        ManagedIdentityCredential &credential = *probing;
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::CredentialUnavailable, text);
        if (listening) {
            QCOMPARE(m_emulator.requests(QStringLiteral("imds")).size(), 1); // the probe only: no retries
            // A failed probe is tried again on the next call.
            m_emulator.control("DELETE", QStringLiteral("faults"));
            QVERIFY(token(credential, tokenRequest({Vault})).ok());
        }
    }

    void noProbeWithPodIdentityHost()
    {
        ManagedIdentityCredentialOptions o = options(imds());
        o.imdsProbe = true;
        ManagedIdentityCredential credential(o);
        QVERIFY(token(credential, tokenRequest({Vault})).ok());
        const QJsonArray log = m_emulator.requests(QStringLiteral("imds"));
        QCOMPARE(log.size(), 1);
        QVERIFY(log[0].toObject().value(QStringLiteral("metadata")).toBool());
    }

    void cachesAndRefreshesHalfway()
    {
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult first = token(credential, tokenRequest({Vault}));
        QVERIFY(first.ok());
        const TokenResult again =
            token(credential, tokenRequest({Vault}, {}, QStringLiteral("some-other-tenant")));
        QVERIFY2(again.ok(), qPrintable(describe(again))); // tenant_id is ignored
        QCOMPARE(again.value().token, first.value().token);
        QCOMPARE(m_emulator.requests().size(), 1);

        m_clock.advance(86399 / 2 + 1); // past refresh_on
        const TokenResult refreshed = token(credential, tokenRequest({Vault}));
        QVERIFY(refreshed.ok());
        QVERIFY(!(refreshed.value().token == first.value().token));
        QCOMPARE(m_emulator.requests().size(), 2);

        // A refresh that fails while the token is still valid leaves it in use.
        m_clock.advance(86399 / 2 + 1);
        QVERIFY(m_emulator.fault({{QStringLiteral("source"), QStringLiteral("imds")},
                                  {QStringLiteral("status"), 500},
                                  {QStringLiteral("count"), 10}}));
        const TokenResult kept = token(credential, tokenRequest({Vault}));
        QVERIFY2(kept.ok(), qPrintable(describe(kept)));
        QCOMPARE(kept.value().token, refreshed.value().token);
    }

    void claimsBypassTheCache()
    {
        ManagedIdentityCredential credential(options(imds()));
        QVERIFY(token(credential, tokenRequest({Vault})).ok());
        QVERIFY(
            token(credential,
                  tokenRequest({Vault},
                               QStringLiteral(R"({"access_token":{"nbf":{"essential":true,"value":"1"}}})")))
                .ok());
        QCOMPARE(m_emulator.requests().size(), 2);
    }

    void exactlyOneScope_data()
    {
        QTest::addColumn<QStringList>("scopes");
        QTest::newRow("none") << QStringList{};
        QTest::newRow("two") << QStringList{Vault, Arm};
    }

    void exactlyOneScope()
    {
        QFETCH(QStringList, scopes);
        ManagedIdentityCredential credential(options(imds()));
        const TokenResult result = token(credential, tokenRequest(scopes));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        if (!scopes.isEmpty())
            QVERIFY(result.error().message.contains(QStringLiteral("exactly one scope")));
        QCOMPARE(m_emulator.requests().size(), 0);
    }

    void conflictingIdentityOptions()
    {
        ManagedIdentityCredentialOptions o = options(imds());
        o.clientId = QStringLiteral("a");
        o.identityConfig.insert(QStringLiteral("object_id"), QStringLiteral("b"));
        ManagedIdentityCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(m_emulator.requests().size(), 0);
    }

    void appServiceSystemAssigned()
    {
        ManagedIdentityCredential credential(options(appService()));
        const TokenResult result = token(credential, tokenRequest({Storage}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject claims = claimsOf(result.value().token);
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), QStringLiteral("https://storage.azure.com"));
        QCOMPARE(result.value().expiresOn, claims.value(QStringLiteral("exp")).toInteger());
        const QJsonObject request = m_emulator.requests(QStringLiteral("appservice")).first().toObject();
        QCOMPARE(request.value(QStringLiteral("secret")).toString(), QStringLiteral("valid"));
        QCOMPARE(request.value(QStringLiteral("api_version")).toString(), QStringLiteral("2019-08-01"));
        QCOMPARE(request.value(QStringLiteral("metadata")).toBool(), true);
    }

    void expiresOnFormats_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("format");
        for (const QString &format : {QStringLiteral("string"), QStringLiteral("number"),
                                      QStringLiteral("date"), QStringLiteral("date12h")}) {
            QTest::addRow("app service %s", qPrintable(format)) << appService() << format;
            QTest::addRow("azure ml %s", qPrintable(format)) << azureMl() << format;
            QTest::addRow("service fabric %s", qPrintable(format)) << serviceFabric() << format;
        }
    }

    void expiresOnFormats()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, format);
        m_emulator.settings(
            {{QStringLiteral("expires_on_format"), format}, {QStringLiteral("expires_in"), 3600}});
        ManagedIdentityCredential credential(options(variables));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const qint64 exp = claimsOf(result.value().token).value(QStringLiteral("exp")).toInteger();
        QCOMPARE(result.value().expiresOn, exp);
        QVERIFY(!result.value().refreshOn); // an hour: no early refresh
    }

    void appServiceFailures_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QTest::newRow("wrong header")
            << QJsonObject{} << QStringLiteral("not-the-header") << int(ErrorKind::CredentialUnavailable)
            << QStringLiteral("does not match");
        QTest::newRow("html 500 after retries")
            << QJsonObject{{QStringLiteral("status"), 500},
                           {QStringLiteral("count"), 4},
                           {QStringLiteral("body"), QStringLiteral("<html>oops</html>")},
                           {QStringLiteral("content_type"), QStringLiteral("text/html")}}
            << QString() << int(ErrorKind::ClientAuthentication) << QStringLiteral("not JSON");
        QTest::newRow("json without token")
            << QJsonObject{{QStringLiteral("status"), 200},
                           {QStringLiteral("json"),
                            QJsonObject{{QStringLiteral("resource"), QStringLiteral("r")}}}}
            << QString() << int(ErrorKind::CredentialUnavailable)
            << QStringLiteral("not found in environment");
    }

    void appServiceFailures()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(QString, header);
        QFETCH(int, kind);
        QFETCH(QString, text);
        if (!fault.isEmpty()) {
            fault.insert(QStringLiteral("source"), QStringLiteral("appservice"));
            QVERIFY(m_emulator.fault(fault));
        }
        QStringList variables = appService();
        if (!header.isEmpty())
            variables[1] = QStringLiteral("IDENTITY_HEADER=") + header;
        ManagedIdentityCredential credential(options(variables));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind(kind), text);
    }

    void arcChallengeAndKey()
    {
        ManagedIdentityCredential credential(options(arc()));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonArray log = m_emulator.requests(QStringLiteral("arc"));
        QCOMPARE(log.size(), 2);
        QCOMPARE(log[0].toObject().value(QStringLiteral("status")).toInt(), 401);
        QCOMPARE(log[0].toObject().value(QStringLiteral("secret")).toString(), QStringLiteral("missing"));
        QCOMPARE(log[1].toObject().value(QStringLiteral("secret")).toString(), QStringLiteral("valid"));
        QCOMPARE(log[1].toObject().value(QStringLiteral("authorization")).toString(),
                 QStringLiteral("basic"));
        QCOMPARE(log[1].toObject().value(QStringLiteral("api_version")).toString(),
                 QStringLiteral("2020-06-01"));
        QVERIFY(log[1].toObject().value(QStringLiteral("metadata")).toBool());
    }

    void arcMustConfirmUserAssigned()
    {
        m_emulator.settings({{QStringLiteral("arc_echo_identity"), false}});
        ManagedIdentityCredentialOptions o = options(arc());
        o.clientId = userIdentity().value(QStringLiteral("client_id")).toString();
        ManagedIdentityCredential credential(o);
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::ClientAuthentication,
                    QStringLiteral("did not confirm"));
    }

    void arcChallengeProblems_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("challenge"); // {dir}: the agent's key directory, {files}: elsewhere
        QTest::addColumn<QString>("file");      // written before the request, relative like challenge
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");

        const int unavailable = int(ErrorKind::CredentialUnavailable);
        const int failed = int(ErrorKind::ClientAuthentication);
        QTest::newRow("no challenge: 200")
            << 200 << QString() << QString() << 0 << unavailable
            << QStringLiteral("Azure Arc managed identity configuration not found");
        QTest::newRow("no challenge: 404")
            << 404 << QString() << QString() << 0 << unavailable
            << QStringLiteral("Azure Arc managed identity configuration not found");
        QTest::newRow("401 without header") << 401 << QString() << QString() << 0 << failed
                                            << QStringLiteral("Unrecognizable WWW-Authenticate header");
        QTest::newRow("bearer challenge")
            << 401 << QStringLiteral("Bearer realm={dir}/a.key") << QString() << 0 << failed
            << QStringLiteral("Unrecognizable WWW-Authenticate header");
        QTest::newRow("realm outside the directory")
            << 401 << QStringLiteral("Basic realm={files}/outside.key")
            << QStringLiteral("{files}/outside.key") << 10 << failed << QStringLiteral("must be in");
        QTest::newRow("not a .key file")
            << 401 << QStringLiteral("Basic realm={dir}/secret.txt") << QStringLiteral("{dir}/secret.txt")
            << 10 << failed << QStringLiteral("extension .key");
        QTest::newRow("4097 bytes") << 401 << QStringLiteral("Basic realm={dir}/big.key")
                                    << QStringLiteral("{dir}/big.key") << 4097 << failed
                                    << QStringLiteral("4KB");
        QTest::newRow("missing file") << 401 << QStringLiteral("Basic realm={dir}/missing.key") << QString()
                                      << 0 << failed << QStringLiteral("no such file");
        QTest::newRow("a key the agent did not issue")
            << 401 << QStringLiteral("Basic realm={dir}/forged.key") << QStringLiteral("{dir}/forged.key")
            << 16 << unavailable << QStringLiteral("(unauthorized_client)");
    }

    void arcChallengeProblems()
    {
        QFETCH(int, status);
        QFETCH(QString, challenge);
        QFETCH(QString, file);
        QFETCH(int, size);
        QFETCH(int, kind);
        QFETCH(QString, text);
        auto expand = [this](QString s) {
            return s.replace(QStringLiteral("{dir}"), m_emulator.arcKeyDirectory())
                .replace(QStringLiteral("{files}"), m_files.path());
        };
        if (!file.isEmpty())
            QVERIFY(!writeFile(expand(file), QByteArray(size, 'k')).isEmpty());
        QJsonObject fault{{QStringLiteral("source"), QStringLiteral("arc")},
                          {QStringLiteral("status"), status}};
        if (!challenge.isEmpty())
            fault.insert(QStringLiteral("headers"),
                         QJsonObject{{QStringLiteral("WWW-Authenticate"), expand(challenge)}});
        if (status == 200)
            fault.insert(QStringLiteral("json"),
                         QJsonObject{{QStringLiteral("access_token"), QStringLiteral("x")}});
        QVERIFY(m_emulator.fault(fault));
        ManagedIdentityCredential credential(options(arc()));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind(kind), text);
        if (!file.isEmpty())
            QFile::remove(expand(file));
    }

    void cloudShellPostsTheResource()
    {
        ManagedIdentityCredential credential(options(cloudShell()));
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject request = m_emulator.requests(QStringLiteral("cloudshell")).first().toObject();
        QCOMPARE(request.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(request.value(QStringLiteral("resource")).toString(),
                 QStringLiteral("https://management.azure.com"));
        QVERIFY(request.value(QStringLiteral("metadata")).toBool());
        QVERIFY(request.value(QStringLiteral("content_type"))
                    .toString()
                    .startsWith(QStringLiteral("application/x-www-form-urlencoded")));
    }

    void cloudShellRefusesUserAssigned()
    {
        ManagedIdentityCredentialOptions o = options(cloudShell());
        o.clientId = userIdentity().value(QStringLiteral("client_id")).toString();
        {
            ManagedIdentityCredential credential(o);
            expectError(token(credential, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                        QStringLiteral("Cloud Shell does not support user-assigned identities"));
            QCOMPARE(m_emulator.requests().size(), 0);
        }
        // DefaultAzureCredential passes AZURE_CLIENT_ID along; Cloud Shell then gets it in the form.
        o.withinDefaultChain = true;
        ManagedIdentityCredential credential(o);
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        const QJsonObject sent = m_emulator.requests(QStringLiteral("cloudshell"))
                                     .first()
                                     .toObject()
                                     .value(QStringLiteral("identity"))
                                     .toObject();
        QCOMPARE(sent.value(QStringLiteral("client_id")).toString(), o.clientId);
    }

    void cloudShellFailures_data()
    {
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QTest::newRow("html") << QJsonObject{{QStringLiteral("status"), 400},
                                             {QStringLiteral("body"), QStringLiteral("<html/>")},
                                             {QStringLiteral("content_type"), QStringLiteral("text/html")}}
                              << int(ErrorKind::CredentialUnavailable)
                              << QStringLiteral("Unexpected content type");
        QTest::newRow("broken json") << QJsonObject{{QStringLiteral("malformed"), true}}
                                     << int(ErrorKind::ClientAuthentication)
                                     << QStringLiteral("Failed to deserialize JSON");
        QTest::newRow("empty") << QJsonObject{{QStringLiteral("status"), 200},
                                              {QStringLiteral("body"), QString()},
                                              {QStringLiteral("content_type"),
                                               QStringLiteral("application/json")}}
                               << int(ErrorKind::ClientAuthentication) << QStringLiteral("No token received");
        QTest::newRow("error json") << QJsonObject{{QStringLiteral("status"), 400},
                                                   {QStringLiteral("json"),
                                                    QJsonObject{{QStringLiteral("error"),
                                                                 QStringLiteral("invalid_request")}}}}
                                    << int(ErrorKind::ClientAuthentication)
                                    << QStringLiteral("Unexpected response");
    }

    void cloudShellFailures()
    {
        QFETCH(QJsonObject, fault);
        QFETCH(int, kind);
        QFETCH(QString, text);
        fault.insert(QStringLiteral("source"), QStringLiteral("cloudshell"));
        QVERIFY(m_emulator.fault(fault));
        ManagedIdentityCredential credential(options(cloudShell()));
        expectError(token(credential, tokenRequest({Arm})), ErrorKind(kind), text);
    }

    void serviceFabricPinsTheCertificate_data()
    {
        QTest::addColumn<QString>("thumbprint");
        const QString pin = m_emulator.thumbprint();
        QString colons;
        for (int i = 0; i < pin.size(); i += 2)
            colons += (i ? QStringLiteral(":") : QString()) + pin.mid(i, 2);
        QTest::newRow("as printed") << pin;
        QTest::newRow("lower case") << pin.toLower();
        QTest::newRow("with colons") << colons;
    }

    void serviceFabricPinsTheCertificate()
    {
        QFETCH(QString, thumbprint);
        ManagedIdentityCredential credential(options(serviceFabric(thumbprint)));
        const TokenResult result = token(credential, tokenRequest({Vault}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject request = m_emulator.requests(QStringLiteral("servicefabric")).first().toObject();
        QCOMPARE(request.value(QStringLiteral("secret")).toString(), QStringLiteral("valid"));
        QCOMPARE(request.value(QStringLiteral("api_version")).toString(),
                 QStringLiteral("2019-07-01-preview"));
    }

    void serviceFabricRefusesOtherCertificates()
    {
        ManagedIdentityCredential credential(options(serviceFabric(QString(40, QLatin1Char('0')))));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::ClientAuthentication,
                    QStringLiteral("thumbprint"));
        // The handshake failed: no request (and so no Secret header) reached the endpoint.
        QCOMPARE(m_emulator.requests(QStringLiteral("servicefabric")).size(), 0);
    }

    void serviceFabricConfigurationProblems_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QStringList plain = serviceFabric();
        plain[0] = QStringLiteral("IDENTITY_ENDPOINT=") +
                   m_emulator.endpoint(QStringLiteral("/metadata/identity/oauth2/token"));
        QStringList wrongSecret = serviceFabric();
        wrongSecret[1] = QStringLiteral("IDENTITY_HEADER=wrong");
        QTest::newRow("user-assigned")
            << serviceFabric() << QStringLiteral("c") << int(ErrorKind::ClientAuthentication)
            << QStringLiteral("not supported by the Service Fabric managed identity environment");
        QTest::newRow("http endpoint") << plain << QString() << int(ErrorKind::ClientAuthentication)
                                       << QStringLiteral("must be an https URL");
        QTest::newRow("bad thumbprint")
            << serviceFabric(QStringLiteral("abc")) << QString() << int(ErrorKind::ClientAuthentication)
            << QStringLiteral("40 hexadecimal digits");
        QTest::newRow("wrong secret") << wrongSecret << QString() << int(ErrorKind::CredentialUnavailable)
                                      << QStringLiteral("SecretHeaderMismatch");
    }

    void serviceFabricConfigurationProblems()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, clientId);
        QFETCH(int, kind);
        QFETCH(QString, text);
        ManagedIdentityCredentialOptions o = options(variables);
        o.clientId = clientId;
        ManagedIdentityCredential credential(o);
        expectError(token(credential, tokenRequest({Vault})), ErrorKind(kind), text);
    }

    void serviceFabricNamesTheRevokedToken()
    {
        ManagedIdentityCredential credential(options(serviceFabric()));
        const TokenResult first = token(credential, tokenRequest({Vault}));
        QVERIFY(first.ok());
        QVERIFY(
            token(credential,
                  tokenRequest({Vault}, QStringLiteral(R"({"access_token":{"xms_cc":{"values":["CP1"]}}})")))
                .ok());
        const QJsonArray log = m_emulator.requests(QStringLiteral("servicefabric"));
        QCOMPARE(log.size(), 2);
        QVERIFY(log[0].toObject().value(QStringLiteral("token_sha256_to_refresh")).toString().isEmpty());
        const QString expected = QString::fromLatin1(
            QCryptographicHash::hash(first.value().token.reveal(), QCryptographicHash::Sha256).toHex());
        QCOMPARE(log[1].toObject().value(QStringLiteral("token_sha256_to_refresh")).toString(), expected);
    }

    void azureMlSecretAndClientId()
    {
        ManagedIdentityCredential credential(options(azureMl()));
        QVERIFY(token(credential, tokenRequest({Vault})).ok());
        const QJsonObject request = m_emulator.requests(QStringLiteral("azureml")).first().toObject();
        QCOMPARE(request.value(QStringLiteral("secret")).toString(), QStringLiteral("valid"));
        QCOMPARE(request.value(QStringLiteral("api_version")).toString(), QStringLiteral("2017-09-01"));
    }

    void azureMlFailures()
    {
        QVERIFY(m_emulator.fault({{QStringLiteral("source"), QStringLiteral("azureml")},
                                  {QStringLiteral("status"), 400},
                                  {QStringLiteral("body"), QStringLiteral("not json")}}));
        ManagedIdentityCredential credential(options(azureMl()));
        expectError(token(credential, tokenRequest({Vault})), ErrorKind::ClientAuthentication,
                    QStringLiteral("not JSON"));
        QStringList wrong = azureMl();
        wrong[1] = QStringLiteral("MSI_SECRET=wrong");
        ManagedIdentityCredential wrongSecret(options(wrong));
        expectError(token(wrongSecret, tokenRequest({Vault})), ErrorKind::CredentialUnavailable,
                    QStringLiteral("Azure ML managed identity configuration not found"));
    }

    void concurrentRequestsShareOne()
    {
        ManagedIdentityCredential credential(options(imds()));
        QVERIFY(m_emulator.fault(
            {{QStringLiteral("source"), QStringLiteral("imds")}, {QStringLiteral("delay_ms"), 200}}));
        auto a = credential.getTokenInfo(tokenRequest({Vault}));
        auto b = credential.getTokenInfo(tokenRequest({Vault}));
        const TokenResult ra = await(a);
        const TokenResult rb = await(b);
        QVERIFY(ra.ok() && rb.ok());
        QCOMPARE(ra.value().token, rb.value().token);
        QCOMPARE(m_emulator.requests().size(), 1);
        m_secretsSeen << ra.value().token.revealString();
    }

    void deletedCredentialAbandonsItsRequest()
    {
        QVERIFY(m_emulator.fault(
            {{QStringLiteral("source"), QStringLiteral("imds")}, {QStringLiteral("delay_ms"), 300}}));
        auto *credential = new ManagedIdentityCredential(options(imds()));
        QFuture<TokenResult> pending = credential->getTokenInfo(tokenRequest({Vault}));
        delete credential;
        test::waitFor(QFuture<void>(pending), 3000);
        QTest::qWait(400); // the late answer arrives and must go nowhere
    }

    void noSecretOfTheRunWasLogged() { m_secretsSeen.verifyNoneLogged(20); }
};

QTEST_GUILESS_MAIN(TestManagedIdentity)
#include "tst_managedidentity.moc"
