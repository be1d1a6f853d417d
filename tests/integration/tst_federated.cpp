// Workload identity federation for real: WorkloadIdentityCredential (and ManagedIdentityCredential in
// its Kubernetes mode) and AzurePipelinesCredential exchange assertions signed by a test issuer for
// azid-sandbox tokens, over TLS on loopback. The sandbox trusts the issuer through federated
// identity credentials; Pipelines' OIDC endpoint is azid-msi-emulator's.
#include "azid/azurepipelinescredential.h"
#include "azid/boundedfile.h"
#include "azid/managedidentitycredential.h"
#include "azid/workloadidentitycredential.h"

#include "credentialtesting.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "msiemulator.h"
#include "oauth.h"
#include "sandbox.h"
#include "secretsseen.h"
#include "testwait.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <memory>

using namespace azid;
using namespace azid::test;

namespace {

const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Storage = QStringLiteral("https://storage.azure.com/.default");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString KubernetesIssuer = QStringLiteral("https://oidc.prod-aks.azure.com/azid-test/");
const QString KubernetesSubject = QStringLiteral("system:serviceaccount:azid:workload");
const QString PipelinesIssuer =
    QStringLiteral("https://vstoken.dev.azure.com/00000000-0000-4000-8000-00000000c0de");
const QString ServiceConnection = QStringLiteral("5a8d1b2c-3e4f-4a5b-8c6d-7e8f9a0b1c2d");
const QString PipelinesSubject = QStringLiteral("sc://azid/tests/azid-connection");
const QString Exchange = QStringLiteral("api://AzureADTokenExchange");

// What Kubernetes' service account issuer or Azure DevOps does: sign ID tokens with its own key.
class TestIssuer
{
public:
    TestIssuer() : m_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)), EVP_PKEY_free) {}

    bool isValid() const { return m_key != nullptr; }

    QString publicKeyPem() const
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_PUBKEY(bio.get(), m_key.get());
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        return QString::fromLatin1(data, size);
    }

    QByteArray sign(const QJsonObject &claims) const
    {
        const QByteArray input =
            detail::base64UrlEncode(R"({"alg":"RS256","typ":"JWT","kid":"azid-test-issuer"})") + '.' +
            detail::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        size_t length = 0;
        if (EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
            EVP_DigestSign(context.get(), nullptr, &length,
                           reinterpret_cast<const unsigned char *>(input.constData()),
                           size_t(input.size())) != 1)
            return {};
        QByteArray signature(qsizetype(length), Qt::Uninitialized);
        if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                           reinterpret_cast<const unsigned char *>(input.constData()),
                           size_t(input.size())) != 1)
            return {};
        signature.resize(qsizetype(length));
        return input + '.' + detail::base64UrlEncode(signature);
    }

private:
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> m_key;
};

QJsonObject claims(const QString &issuer, const QString &subject, const QString &audience = Exchange,
                   qint64 notBeforeOffset = -60, qint64 lifetime = 3600)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return QJsonObject{{QStringLiteral("iss"), issuer},
                       {QStringLiteral("sub"), subject},
                       {QStringLiteral("aud"), QJsonArray{audience}},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("nbf"), now + notBeforeOffset},
                       {QStringLiteral("exp"), now + notBeforeOffset + lifetime},
                       {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)}};
}

} // namespace

class TestFederated : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::MsiEmulator m_emulator;
    test::FakeClock m_clock;
    TestIssuer m_kubernetes;
    TestIssuer m_devops;
    TestIssuer m_impostor;
    QTemporaryDir m_files;
    QString m_bundle; // the sandbox's and the emulator's CA
    QString m_tokenFile;
    test::SecretsSeen m_secretsSeen;

    bool writeTokenFile(const QByteArray &assertion)
    {
        QFile file(m_tokenFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        file.write(assertion);
        m_secretsSeen << QString::fromLatin1(assertion);
        return true;
    }

    WorkloadIdentityCredentialOptions workloadOptions()
    {
        WorkloadIdentityCredentialOptions o;
        o.tenantId = Contoso;
        o.clientId = Daemon;
        o.tokenFilePath = m_tokenFile;
        o.authority = m_sandbox.authority();
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_sandbox.caFile();
        o.http.retryBaseDelay = std::chrono::milliseconds(1);
        o.clock = &m_clock;
        o.environment = QProcessEnvironment(); // nothing from this process's environment
        return o;
    }

    AzurePipelinesCredentialOptions
    pipelinesOptions(const QString &systemToken = QStringLiteral("pipeline-system-access-token-1"))
    {
        AzurePipelinesCredentialOptions o;
        o.tenantId = Contoso;
        o.clientId = Daemon;
        o.serviceConnectionId = ServiceConnection;
        o.systemAccessToken = Secret::fromString(systemToken);
        o.authority = m_sandbox.authority();
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_bundle;
        o.http.retryBaseDelay = std::chrono::milliseconds(1);
        o.clock = &m_clock;
        o.environment = environmentOf({QStringLiteral("SYSTEM_OIDCREQUESTURI=") +
                                       m_emulator.endpoint(QStringLiteral("/pipelines/oidctoken"), true)});
        return o;
    }

    TokenResult token(TokenCredential &credential, const TokenRequestOptions &request)
    {
        return m_secretsSeen.getToken(credential, request);
    }

    bool registerFederatedCredential(const QString &issuer, const QString &subject, const TestIssuer &key)
    {
        const QJsonDocument answer = m_sandbox.control(
            "POST", QStringLiteral("federated-credentials"),
            QJsonDocument(QJsonObject{{QStringLiteral("client_id"), Daemon},
                                      {QStringLiteral("issuer"), issuer},
                                      {QStringLiteral("subject"), subject},
                                      {QStringLiteral("public_key_pem"), key.publicKeyPem()}}));
        return answer.object().value(QStringLiteral("ok")).toBool();
    }

    QJsonArray sandboxTokenRequests()
    {
        QJsonArray found;
        for (const QJsonValue &entry : m_sandbox.control("GET", QStringLiteral("requests")).array()) {
            if (entry.toObject().value(QStringLiteral("endpoint")).toString() == QLatin1String("token"))
                found.append(entry);
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY(m_kubernetes.isValid() && m_devops.isValid() && m_impostor.isValid());
        QVERIFY(m_files.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        QVERIFY2(m_emulator.start(), qPrintable(m_emulator.errorString()));
        QVERIFY(registerFederatedCredential(KubernetesIssuer, KubernetesSubject, m_kubernetes));
        QVERIFY(registerFederatedCredential(PipelinesIssuer, PipelinesSubject, m_devops));
        m_tokenFile = m_files.filePath(QStringLiteral("azure-identity-token"));

        m_bundle = m_files.filePath(QStringLiteral("bundle.pem"));
        QFile bundle(m_bundle);
        QVERIFY(bundle.open(QIODevice::WriteOnly));
        for (const QString &ca : {m_sandbox.caFile(), m_emulator.caFile()}) {
            QFile file(ca);
            QVERIFY(file.open(QIODevice::ReadOnly));
            bundle.write(file.readAll() + '\n');
        }
    }

    void init()
    {
        m_sandbox.clearRequests();
        m_sandbox.control("DELETE", QStringLiteral("faults"));
        m_emulator.reset();
        m_emulator.settings(
            {{QStringLiteral("system_access_token"), QStringLiteral("pipeline-system-access-token-1")},
             {QStringLiteral("service_connection_id"), ServiceConnection}});
        QVERIFY(writeTokenFile(m_kubernetes.sign(claims(KubernetesIssuer, KubernetesSubject))));
    }

    void workloadIdentityExchangesTheTokenFile()
    {
        WorkloadIdentityCredential credential(workloadOptions());
        QCOMPARE(credential.name(), QStringLiteral("WorkloadIdentityCredential"));
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        const QJsonObject tokenClaims = claimsOf(result.value().token);
        QCOMPARE(tokenClaims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://management.azure.com"));
        QCOMPARE(tokenClaims.value(QStringLiteral("appid")).toString(), Daemon);
        QCOMPARE(tokenClaims.value(QStringLiteral("tid")).toString(), Contoso);

        const QJsonArray requests = sandboxTokenRequests();
        QCOMPARE(requests.size(), 1);
        const QJsonObject request = requests.first().toObject();
        QCOMPARE(request.value(QStringLiteral("grant_type")).toString(),
                 QStringLiteral("client_credentials"));
        QCOMPARE(request.value(QStringLiteral("client_auth")).toString(),
                 QStringLiteral("federated_assertion"));
        QCOMPARE(request.value(QStringLiteral("status")).toInt(), 200);
    }

    void workloadIdentityFromEnvironment()
    {
        WorkloadIdentityCredentialOptions o;
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_sandbox.caFile();
        o.environment = environmentOf({QStringLiteral("AZURE_TENANT_ID=") + Contoso,
                                       QStringLiteral("AZURE_CLIENT_ID=") + Daemon,
                                       QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=") + m_tokenFile,
                                       QStringLiteral("AZURE_AUTHORITY_HOST=") + m_sandbox.authority()});
        WorkloadIdentityCredential credential(o);
        const TokenResult result = token(credential, tokenRequest({Graph}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
    }

    void workloadIdentityRereadsTheFile()
    {
        WorkloadIdentityCredential credential(workloadOptions());
        const TokenResult first = token(credential, tokenRequest({Arm}));
        QVERIFY2(first.ok(), qPrintable(describe(first)));

        // A rotated token that the app does not trust: cached tokens still come from the cache...
        QVERIFY(writeTokenFile(
            m_kubernetes.sign(claims(KubernetesIssuer, QStringLiteral("system:serviceaccount:azid:other")))));
        const TokenResult cached = token(credential, tokenRequest({Arm}));
        QVERIFY(cached.ok());
        QCOMPARE(cached.value().token, first.value().token);
        QCOMPARE(sandboxTokenRequests().size(), 1);
        // ...and a new token uses the file as it is now.
        const TokenResult refused = token(credential, tokenRequest({Graph}));
        expectError(refused, ErrorKind::ClientAuthentication, QStringLiteral("AADSTS700213"));
        QVERIFY(refused.error().hasCode(700213));

        QVERIFY(writeTokenFile(m_kubernetes.sign(claims(KubernetesIssuer, KubernetesSubject))));
        const TokenResult fresh = token(credential, tokenRequest({Graph}));
        QVERIFY2(fresh.ok(), qPrintable(describe(fresh)));
    }

    void rejectedAssertions_data()
    {
        QTest::addColumn<QByteArray>("assertion");
        QTest::addColumn<int>("code");
        QTest::newRow("expired") << m_kubernetes.sign(
                                        claims(KubernetesIssuer, KubernetesSubject, Exchange, -7200, 600))
                                 << 700024;
        QTest::newRow("not yet valid")
            << m_kubernetes.sign(claims(KubernetesIssuer, KubernetesSubject, Exchange, 3600, 600)) << 700024;
        QTest::newRow("unknown issuer")
            << m_kubernetes.sign(claims(QStringLiteral("https://issuer.example/"), KubernetesSubject))
            << 700211;
        QTest::newRow("other subject")
            << m_kubernetes.sign(claims(KubernetesIssuer, QStringLiteral("system:serviceaccount:x:y")))
            << 700213;
        QTest::newRow("other audience")
            << m_kubernetes.sign(claims(KubernetesIssuer, KubernetesSubject, QStringLiteral("api://other")))
            << 700212;
        QTest::newRow("signed by someone else")
            << m_impostor.sign(claims(KubernetesIssuer, KubernetesSubject)) << 700027;
        QTest::newRow("not a jwt") << QByteArray("this is not a token") << 50027;
    }

    void rejectedAssertions()
    {
        QFETCH(QByteArray, assertion);
        QFETCH(int, code);
        QVERIFY(writeTokenFile(assertion));
        WorkloadIdentityCredential credential(workloadOptions());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        expectError(result, ErrorKind::ClientAuthentication, QStringLiteral("AADSTS%1").arg(code));
        QVERIFY(result.error().hasCode(code));
        QVERIFY(!result.error().correlationId.isEmpty());
    }

    void workloadIdentityConfiguration()
    {
        WorkloadIdentityCredentialOptions o;
        o.environment = QProcessEnvironment();
        WorkloadIdentityCredential unconfigured(o);
        expectError(
            token(unconfigured, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
            QStringLiteral("Missing required arguments: 'tenant_id', 'client_id', 'token_file_path'"));

        WorkloadIdentityCredentialOptions missingFile = workloadOptions();
        missingFile.tokenFilePath = m_files.filePath(QStringLiteral("no-such-token"));
        WorkloadIdentityCredential credential(missingFile);
        expectError(token(credential, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                    QStringLiteral("could not read the federated token file"));
        QCOMPARE(sandboxTokenRequests().size(), 0);

        // A token file far larger than any token (a wrong path, a device that never ends) is refused
        // after reading at most the limit, and nothing is sent.
        const QString huge = m_files.filePath(QStringLiteral("huge-token"));
        QFile hugeFile(huge);
        QVERIFY(hugeFile.open(QIODevice::WriteOnly));
        QVERIFY(hugeFile.resize(MaxTokenFileBytes + 1));
        hugeFile.close();
        for (const QString &path : {huge, QStringLiteral("/dev/zero")}) {
            WorkloadIdentityCredentialOptions tooLarge = workloadOptions();
            tooLarge.tokenFilePath = path;
            WorkloadIdentityCredential large(tooLarge);
            expectError(token(large, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                        QStringLiteral("The federated token file %1 is larger than 256 KiB").arg(path));
        }
        QCOMPARE(sandboxTokenRequests().size(), 0);
    }

    void managedIdentityInKubernetes()
    {
        ManagedIdentityCredentialOptions o;
        o.http.caBundleFile = m_sandbox.caFile();
        o.clock = &m_clock;
        const QStringList variables{QStringLiteral("AZURE_TENANT_ID=") + Contoso,
                                    QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=") + m_tokenFile,
                                    QStringLiteral("AZURE_AUTHORITY_HOST=") + m_sandbox.authority()};
        o.environment = environmentOf(variables + QStringList{QStringLiteral("AZURE_CLIENT_ID=") + Daemon});
        ManagedIdentityCredential credential(o);
        QCOMPARE(credential.hostingEnvironment(), QStringLiteral("Workload identity"));
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("appid")).toString(), Daemon);

        // The client id may come from the options instead.
        o.environment = environmentOf(variables);
        o.clientId = Daemon;
        ManagedIdentityCredential withClientId(o);
        QVERIFY(token(withClientId, tokenRequest({Storage})).ok());
        o.clientId.clear();
        ManagedIdentityCredential withoutClientId(o);
        expectError(token(withoutClientId, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                    QStringLiteral("client ID"));
    }

    void pipelinesExchangesTheOidcToken()
    {
        const QByteArray oidc = m_devops.sign(claims(PipelinesIssuer, PipelinesSubject));
        m_secretsSeen << QString::fromLatin1(oidc);
        m_emulator.settings({{QStringLiteral("oidc_token"), QString::fromLatin1(oidc)}});
        AzurePipelinesCredential credential(pipelinesOptions());
        QCOMPARE(credential.name(), QStringLiteral("AzurePipelinesCredential"));
        const TokenResult result = token(credential, tokenRequest({Arm}));
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(claimsOf(result.value().token).value(QStringLiteral("appid")).toString(), Daemon);

        const QJsonArray oidcRequests = m_emulator.requests(QStringLiteral("pipelines"));
        QCOMPARE(oidcRequests.size(), 1);
        const QJsonObject request = oidcRequests.first().toObject();
        QCOMPARE(request.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(request.value(QStringLiteral("secret")).toString(), QStringLiteral("valid"));
        QCOMPARE(request.value(QStringLiteral("authorization")).toString(), QStringLiteral("bearer"));
        QCOMPARE(request.value(QStringLiteral("fed_auth_redirect_suppressed")).toBool(), true);
        QCOMPARE(request.value(QStringLiteral("api_version")).toString(), QStringLiteral("7.1"));
        QCOMPARE(request.value(QStringLiteral("service_connection_id")).toString(), ServiceConnection);
        QCOMPARE(sandboxTokenRequests().first().toObject().value(QStringLiteral("client_auth")).toString(),
                 QStringLiteral("federated_assertion"));

        // Cached tokens need no OIDC token; a new resource does.
        QVERIFY(token(credential, tokenRequest({Arm})).ok());
        QCOMPARE(m_emulator.requests(QStringLiteral("pipelines")).size(), 1);
        QVERIFY(token(credential, tokenRequest({Graph})).ok());
        QCOMPARE(m_emulator.requests(QStringLiteral("pipelines")).size(), 2);
    }

    void pipelinesOidcFailures_data()
    {
        QTest::addColumn<QString>("systemToken");
        QTest::addColumn<QJsonObject>("fault");
        QTest::addColumn<QStringList>("texts");
        QTest::newRow("refused system token")
            << QStringLiteral("not-the-system-token") << QJsonObject{}
            << QStringList{QStringLiteral("Unexpected response from OIDC token endpoint."),
                           QStringLiteral("Status code: 401"), QStringLiteral("x-vss-e2eid: "),
                           QStringLiteral("TF400813")};
        QTest::newRow("not json")
            << QString()
            << QJsonObject{{QStringLiteral("status"), 200},
                           {QStringLiteral("body"), QStringLiteral("<html>Sign in</html>")},
                           {QStringLiteral("content_type"), QStringLiteral("text/html")}}
            << QStringList{QStringLiteral("not JSON")};
        QTest::newRow("no oidcToken")
            << QString()
            << QJsonObject{{QStringLiteral("status"), 200},
                           {QStringLiteral("json"), QJsonObject{{QStringLiteral("value"), 1}}}}
            << QStringList{QStringLiteral("OIDC token not found in response.")};
        QTest::newRow("server error after retries")
            << QString()
            << QJsonObject{{QStringLiteral("status"), 503},
                           {QStringLiteral("count"), 4},
                           {QStringLiteral("json"),
                            QJsonObject{{QStringLiteral("message"), QStringLiteral("busy")}}}}
            << QStringList{QStringLiteral("Status code: 503"), QStringLiteral("busy")};
    }

    void pipelinesOidcFailures()
    {
        QFETCH(QString, systemToken);
        QFETCH(QJsonObject, fault);
        QFETCH(QStringList, texts);
        if (!fault.isEmpty()) {
            fault.insert(QStringLiteral("source"), QStringLiteral("pipelines"));
            QVERIFY(m_emulator.fault(fault));
        }
        AzurePipelinesCredential credential(systemToken.isEmpty() ? pipelinesOptions()
                                                                  : pipelinesOptions(systemToken));
        const TokenResult result = token(credential, tokenRequest({Arm}));
        for (const QString &text : texts)
            expectError(result, ErrorKind::ClientAuthentication, text);
        QCOMPARE(sandboxTokenRequests().size(), 0);
    }

    void pipelinesUnknownServiceConnection()
    {
        AzurePipelinesCredentialOptions o = pipelinesOptions();
        o.serviceConnectionId = QStringLiteral("00000000-0000-4000-8000-000000000bad");
        AzurePipelinesCredential credential(o);
        expectError(token(credential, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                    QStringLiteral("Status code: 404"));
    }

    void pipelinesOidcTokenRefusedByEntra()
    {
        m_emulator.settings({{QStringLiteral("oidc_token"),
                              QString::fromLatin1(m_devops.sign(
                                  claims(PipelinesIssuer, QStringLiteral("sc://azid/tests/other"))))}});
        AzurePipelinesCredential credential(pipelinesOptions());
        const TokenResult result = token(credential, tokenRequest({Arm}));
        expectError(result, ErrorKind::ClientAuthentication, QStringLiteral("AADSTS700213"));
    }

    void pipelinesOutsideAPipeline()
    {
        AzurePipelinesCredentialOptions o = pipelinesOptions();
        o.environment = QProcessEnvironment();
        AzurePipelinesCredential credential(o);
        expectError(token(credential, tokenRequest({Arm})), ErrorKind::CredentialUnavailable,
                    QStringLiteral("Missing value for the SYSTEM_OIDCREQUESTURI environment variable"));
        QCOMPARE(m_emulator.requests().size(), 0);
    }

    void pipelinesNeedsEveryArgument()
    {
        AzurePipelinesCredentialOptions o = pipelinesOptions();
        o.serviceConnectionId.clear();
        o.systemAccessToken = Secret();
        AzurePipelinesCredential credential(o);
        expectError(token(credential, tokenRequest({Arm})), ErrorKind::ClientAuthentication,
                    QStringLiteral("service_connection_id, system_access_token"));
        AzurePipelinesCredentialOptions badTenant = pipelinesOptions();
        badTenant.tenantId = QStringLiteral("not a tenant!");
        AzurePipelinesCredential invalid(badTenant);
        QVERIFY(!token(invalid, tokenRequest({Arm})).ok());
        QCOMPARE(m_emulator.requests().size(), 0);
    }

    void noSecretOfTheRunWasLogged()
    {
        m_secretsSeen << QStringLiteral("pipeline-system-access-token-1");
        m_secretsSeen.verifyNoneLogged(10);
    }
};

QTEST_GUILESS_MAIN(TestFederated)
#include "tst_federated.moc"
