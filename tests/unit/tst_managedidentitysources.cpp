// The rules of the managed identity sources (managedidentitysource.h, managedidentitysources.h): which
// hosting environment a set of variables selects, how each names a user-assigned identity, scopes to
// resources, expiry formats, IMDS's retry schedule, Azure Arc's challenge and key file rules, and what
// each answer means.

#include "managedidentitysource.h"
#include "oauth.h"
#include "testseams.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using namespace azid::detail;

using Source = ManagedIdentityKind;
using Kind = ManagedIdentityId::Kind;
Q_DECLARE_METATYPE(azid::detail::ManagedIdentityKind)
Q_DECLARE_METATYPE(azid::detail::ManagedIdentityId::Kind)
Q_DECLARE_METATYPE(azid::ErrorKind)

namespace {

QProcessEnvironment environment(const QStringList &assignments)
{
    QProcessEnvironment env;
    for (const QString &assignment : assignments)
        env.insert(assignment.section(QLatin1Char('='), 0, 0), assignment.section(QLatin1Char('='), 1));
    return env;
}

HttpResponse answer(int status, const QByteArray &body, const QByteArray &contentType = "application/json")
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    if (!contentType.isEmpty())
        r.headers.insert("content-type", contentType);
    r.clientRequestId = QStringLiteral("0d9f5a4c-0000-4000-8000-00000000abcd");
    return r;
}

const qint64 Now = 1767139199;

// Variables that announce each hosting environment.
QStringList variablesOf(Source source)
{
    switch (source) {
    case Source::None:
        return {QStringLiteral("IDENTITY_ENDPOINT=http://localhost:8081/msi/token")};
    case Source::ServiceFabric:
        return {QStringLiteral("IDENTITY_ENDPOINT=https://localhost:2377/metadata/identity/oauth2/token"),
                QStringLiteral("IDENTITY_HEADER=h"), QStringLiteral("IDENTITY_SERVER_THUMBPRINT=ab")};
    case Source::AppService:
        return {QStringLiteral("IDENTITY_ENDPOINT=http://localhost:8081/msi/token"),
                QStringLiteral("IDENTITY_HEADER=h")};
    case Source::AzureArc:
        return {QStringLiteral("IDENTITY_ENDPOINT=http://localhost:40342/metadata/identity/oauth2/token"),
                QStringLiteral("IMDS_ENDPOINT=http://localhost:40342")};
    case Source::AzureMl:
        return {QStringLiteral("MSI_ENDPOINT=http://127.0.0.1:46808/token"), QStringLiteral("MSI_SECRET=s")};
    case Source::CloudShell:
        return {QStringLiteral("MSI_ENDPOINT=http://localhost:50342/oauth2/token")};
    case Source::WorkloadIdentity:
        return {QStringLiteral("AZURE_AUTHORITY_HOST=https://login.microsoftonline.com/"),
                QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=/f")};
    case Source::Imds:
        return {};
    }
    return {};
}

} // namespace

class TestManagedIdentitySources : public QObject
{
    Q_OBJECT

    QObject m_owner; // of the workload identity source's credential

    std::unique_ptr<ManagedIdentitySource> select(const QStringList &variables, bool excludeWorkload = false)
    {
        ManagedIdentitySourceOptions options;
        options.excludeWorkloadIdentity = excludeWorkload;
        options.environment = environment(variables);
        options.owner = &m_owner;
        return selectManagedIdentitySource(EnvironmentReader(environment(variables)), options);
    }

private slots:
    void selectsHostingEnvironment_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<bool>("excludeWorkload");
        QTest::addColumn<Source>("source");
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<bool>("overridden");

        const QString imds = QStringLiteral("http://169.254.169.254/metadata/identity/oauth2/token");
        const QString identity = QStringLiteral("IDENTITY_ENDPOINT=http://localhost:8081/msi/token");
        const QString workloadVars[] = {
            QStringLiteral("AZURE_AUTHORITY_HOST=https://login.microsoftonline.com/"),
            QStringLiteral("AZURE_TENANT_ID=72f988bf-86f1-41af-91ab-2d7cd011db47"),
            QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=/var/run/token")};
        QTest::newRow("nothing: IMDS") << QStringList{} << false << Source::Imds << imds << false;
        QTest::newRow("pod identity host")
            << QStringList{QStringLiteral("AZURE_POD_IDENTITY_AUTHORITY_HOST=http://10.0.0.1:2579/")} << false
            << Source::Imds << QStringLiteral("http://10.0.0.1:2579/metadata/identity/oauth2/token") << true;
        QTest::newRow("app service") << QStringList{identity, QStringLiteral("IDENTITY_HEADER=h")} << false
                                     << Source::AppService
                                     << QStringLiteral("http://localhost:8081/msi/token") << false;
        QTest::newRow("service fabric")
            << QStringList{QStringLiteral(
                               "IDENTITY_ENDPOINT=https://localhost:2377/metadata/identity/oauth2/token"),
                           QStringLiteral("IDENTITY_HEADER=h"),
                           QStringLiteral("IDENTITY_SERVER_THUMBPRINT=ab")}
            << false << Source::ServiceFabric
            << QStringLiteral("https://localhost:2377/metadata/identity/oauth2/token") << false;
        QTest::newRow("azure arc")
            << QStringList{QStringLiteral(
                               "IDENTITY_ENDPOINT=http://localhost:40342/metadata/identity/oauth2/token"),
                           QStringLiteral("IMDS_ENDPOINT=http://localhost:40342")}
            << false << Source::AzureArc
            << QStringLiteral("http://localhost:40342/metadata/identity/oauth2/token") << false;
        QTest::newRow("header wins over arc")
            << QStringList{identity, QStringLiteral("IDENTITY_HEADER=h"),
                           QStringLiteral("IMDS_ENDPOINT=http://x")}
            << false << Source::AppService << QStringLiteral("http://localhost:8081/msi/token") << false;
        QTest::newRow("identity endpoint alone: none")
            << QStringList{identity} << false << Source::None
            << QStringLiteral("http://localhost:8081/msi/token") << false;
        QTest::newRow("identity endpoint hides msi endpoint")
            << QStringList{identity, QStringLiteral("MSI_ENDPOINT=http://localhost:50342/oauth2/token")}
            << false << Source::None << QStringLiteral("http://localhost:8081/msi/token") << false;
        QTest::newRow("cloud shell") << QStringList{QStringLiteral(
                                            "MSI_ENDPOINT=http://localhost:50342/oauth2/token")}
                                     << false << Source::CloudShell
                                     << QStringLiteral("http://localhost:50342/oauth2/token") << false;
        QTest::newRow("azure ml") << QStringList{QStringLiteral("MSI_ENDPOINT=http://127.0.0.1:46808/token"),
                                                 QStringLiteral("MSI_SECRET=s")}
                                  << false << Source::AzureMl
                                  << QStringLiteral("http://127.0.0.1:46808/token") << false;
        QTest::newRow("empty variables count as unset")
            << QStringList{QStringLiteral("IDENTITY_ENDPOINT="), QStringLiteral("MSI_ENDPOINT="),
                           QStringLiteral("MSI_SECRET=s")}
            << false << Source::Imds << imds << false;
        QTest::newRow("workload identity") << QStringList{workloadVars[0], workloadVars[1], workloadVars[2]}
                                           << false << Source::WorkloadIdentity << QString() << false;
        QTest::newRow("workload identity excluded")
            << QStringList{workloadVars[0], workloadVars[1], workloadVars[2]} << true << Source::Imds << imds
            << false;
        QTest::newRow("workload identity needs the authority host")
            << QStringList{workloadVars[1], workloadVars[2]} << false << Source::Imds << imds << false;
        QTest::newRow("msi endpoint wins over workload identity")
            << QStringList{QStringLiteral("MSI_ENDPOINT=http://cs/token"), workloadVars[0], workloadVars[1],
                           workloadVars[2]}
            << false << Source::CloudShell << QStringLiteral("http://cs/token") << false;
    }

    void selectsHostingEnvironment()
    {
        QFETCH(QStringList, variables);
        QFETCH(bool, excludeWorkload);
        QFETCH(Source, source);
        QFETCH(QString, endpoint);
        QFETCH(bool, overridden);
        const auto selected = select(variables, excludeWorkload);
        QCOMPARE(selected->kind(), source);
        if (!endpoint.isEmpty())
            QCOMPARE(selected->endpoint().toString(), endpoint);
        const auto *imds = dynamic_cast<const ImdsSource *>(selected.get());
        QCOMPARE(imds && imds->podIdentityHost(), overridden);
    }

    void workloadIdentityVariables()
    {
        const auto source =
            select({QStringLiteral("AZURE_AUTHORITY_HOST=https://login.microsoftonline.us"),
                    QStringLiteral("AZURE_TENANT_ID=t"), QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=/f"),
                    QStringLiteral("AZURE_CLIENT_ID=c")});
        const auto *workload = dynamic_cast<const WorkloadIdentitySource *>(source.get());
        QVERIFY(workload);
        QCOMPARE(workload->authorityHost(), QStringLiteral("https://login.microsoftonline.us"));
        QCOMPARE(workload->tenantId(), QStringLiteral("t"));
        QCOMPARE(workload->tokenFilePath(), QStringLiteral("/f"));
        QCOMPARE(workload->clientId(), QStringLiteral("c"));
        QVERIFY(!workload->configurationError());
        const auto appService = select(
            {QStringLiteral("IDENTITY_ENDPOINT=http://e"), QStringLiteral("IDENTITY_HEADER=secret-h")});
        QVERIFY(dynamic_cast<const AppServiceSource *>(appService.get()));
        QCOMPARE(dynamic_cast<const AppServiceSource &>(*appService).secret().revealString(),
                 QStringLiteral("secret-h"));
    }

    // A test's IMDS address (TestSeams) replaces the real one and, unlike Pod Identity's, keeps the probe.
    void imdsEndpointForTests()
    {
        ManagedIdentitySourceOptions options;
        {
            const ScopedTestSeams seams({QStringLiteral("http://127.0.0.1:9/"), QString()});
            options.imdsEndpoint = testSeams().imdsEndpoint;
        }
        QVERIFY(testSeams().imdsEndpoint.isEmpty());
        auto source = selectManagedIdentitySource(EnvironmentReader(environment({})), options);
        QCOMPARE(source->endpoint().toString(),
                 QStringLiteral("http://127.0.0.1:9/metadata/identity/oauth2/token"));
        QVERIFY(!dynamic_cast<const ImdsSource &>(*source).podIdentityHost());
        source = selectManagedIdentitySource(EnvironmentReader(environment({QStringLiteral(
                                                 "AZURE_POD_IDENTITY_AUTHORITY_HOST=http://10.0.0.1")})),
                                             options);
        QCOMPARE(source->endpoint().toString(),
                 QStringLiteral("http://127.0.0.1:9/metadata/identity/oauth2/token"));
        QVERIFY(dynamic_cast<const ImdsSource &>(*source).podIdentityHost());
    }

    void identityFromOptions_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QStringList>("config"); // key=value
        QTest::addColumn<bool>("ok");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("value");

        QTest::newRow("none") << QString() << QStringList{} << true << Kind::SystemAssigned << QString();
        QTest::newRow("client_id") << QStringLiteral("c1") << QStringList{} << true << Kind::ClientId
                                   << QStringLiteral("c1");
        QTest::newRow("config client_id") << QString() << QStringList{QStringLiteral("client_id=c2")} << true
                                          << Kind::ClientId << QStringLiteral("c2");
        QTest::newRow("object_id") << QString() << QStringList{QStringLiteral("object_id=o1")} << true
                                   << Kind::ObjectId << QStringLiteral("o1");
        QTest::newRow("resource_id") << QString() << QStringList{QStringLiteral("resource_id=/r/1")} << true
                                     << Kind::ResourceId << QStringLiteral("/r/1");
        QTest::newRow("mi_res_id alias") << QString() << QStringList{QStringLiteral("mi_res_id=/r/2")} << true
                                         << Kind::ResourceId << QStringLiteral("/r/2");
        QTest::newRow("msi_res_id alias") << QString() << QStringList{QStringLiteral("msi_res_id=/r/3")}
                                          << true << Kind::ResourceId << QStringLiteral("/r/3");
        QTest::newRow("empty value names nothing") << QString() << QStringList{QStringLiteral("object_id=")}
                                                   << true << Kind::SystemAssigned << QString();
        QTest::newRow("client_id and config")
            << QStringLiteral("c1") << QStringList{QStringLiteral("object_id=o1")} << false
            << Kind::SystemAssigned << QString();
        QTest::newRow("two config keys")
            << QString() << QStringList{QStringLiteral("object_id=o1"), QStringLiteral("resource_id=/r")}
            << false << Kind::SystemAssigned << QString();
        QTest::newRow("unknown key") << QString() << QStringList{QStringLiteral("principal=o1")} << false
                                     << Kind::SystemAssigned << QString();
    }

    void identityFromOptions()
    {
        QFETCH(QString, clientId);
        QFETCH(QStringList, config);
        QFETCH(bool, ok);
        QFETCH(Kind, kind);
        QFETCH(QString, value);
        QMap<QString, QString> map;
        for (const QString &entry : config)
            map.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
        const auto identity = managedIdentityFromOptions(clientId, map);
        QCOMPARE(identity.ok(), ok);
        if (!ok) {
            QCOMPARE(identity.error().kind, ErrorKind::ClientAuthentication);
            return;
        }
        QCOMPARE(identity.value().kind, kind);
        QCOMPARE(identity.value().value, value);
    }

    void identityParameterNames_data()
    {
        QTest::addColumn<Source>("source");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("name"); // empty: an error

        QTest::newRow("imds client") << Source::Imds << Kind::ClientId << QStringLiteral("client_id");
        QTest::newRow("imds object") << Source::Imds << Kind::ObjectId << QStringLiteral("object_id");
        QTest::newRow("imds resource") << Source::Imds << Kind::ResourceId << QStringLiteral("msi_res_id");
        QTest::newRow("app service client")
            << Source::AppService << Kind::ClientId << QStringLiteral("client_id");
        QTest::newRow("app service object")
            << Source::AppService << Kind::ObjectId << QStringLiteral("object_id");
        QTest::newRow("app service resource")
            << Source::AppService << Kind::ResourceId << QStringLiteral("mi_res_id");
        QTest::newRow("arc client") << Source::AzureArc << Kind::ClientId << QStringLiteral("client_id");
        QTest::newRow("arc resource") << Source::AzureArc << Kind::ResourceId << QStringLiteral("msi_res_id");
        QTest::newRow("azure ml client") << Source::AzureMl << Kind::ClientId << QStringLiteral("clientid");
        QTest::newRow("azure ml object") << Source::AzureMl << Kind::ObjectId << QStringLiteral("object_id");
        QTest::newRow("azure ml resource")
            << Source::AzureMl << Kind::ResourceId << QStringLiteral("msi_res_id");
        QTest::newRow("cloud shell client (in DAC)")
            << Source::CloudShell << Kind::ClientId << QStringLiteral("client_id");
        QTest::newRow("cloud shell object") << Source::CloudShell << Kind::ObjectId << QString();
        QTest::newRow("service fabric client") << Source::ServiceFabric << Kind::ClientId << QString();
        QTest::newRow("service fabric resource") << Source::ServiceFabric << Kind::ResourceId << QString();
    }

    void identityParameterNames()
    {
        QFETCH(Source, source);
        QFETCH(Kind, kind);
        QFETCH(QString, name);
        const auto selected = select(variablesOf(source));
        QCOMPARE(selected->kind(), source);
        const auto parameters =
            selected->identityParameters(ManagedIdentityId{kind, QStringLiteral("the-id")});
        QCOMPARE(parameters.ok(), !name.isEmpty());
        if (name.isEmpty()) {
            QCOMPARE(parameters.error().kind, ErrorKind::ClientAuthentication);
            return;
        }
        QCOMPARE(parameters.value().size(), 1);
        QCOMPARE(parameters.value().first().first, name);
        QCOMPARE(parameters.value().first().second, QStringLiteral("the-id"));
        QVERIFY(selected->identityParameters(ManagedIdentityId{}).ok());
        QVERIFY(selected->identityParameters(ManagedIdentityId{}).value().isEmpty());
    }

    void resourceFromScopes_data()
    {
        QTest::addColumn<QStringList>("scopes");
        QTest::addColumn<QString>("resource"); // empty: an error

        QTest::newRow("default") << QStringList{QStringLiteral("https://vault.azure.net/.default")}
                                 << QStringLiteral("https://vault.azure.net");
        QTest::newRow("trailing slash kept")
            << QStringList{QStringLiteral("https://management.azure.com//.default")}
            << QStringLiteral("https://management.azure.com/");
        QTest::newRow("bare resource") << QStringList{QStringLiteral("https://storage.azure.com")}
                                       << QStringLiteral("https://storage.azure.com");
        QTest::newRow("only the suffix goes")
            << QStringList{QStringLiteral("api://x/.default/.default")} << QStringLiteral("api://x/.default");
        QTest::newRow("none") << QStringList{} << QString();
        QTest::newRow("two") << QStringList{QStringLiteral("a/.default"), QStringLiteral("b/.default")}
                             << QString();
        QTest::newRow("nothing left") << QStringList{QStringLiteral("/.default")} << QString();
    }

    void resourceFromScopes()
    {
        QFETCH(QStringList, scopes);
        QFETCH(QString, resource);
        const auto result = detail::resourceFromScopes(scopes);
        QCOMPARE(result.ok(), !resource.isEmpty());
        if (result.ok())
            QCOMPARE(result.value(), resource);
        else
            QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
    }

    void parsesExpiresOn_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<qint64>("expected"); // -1: not parsed

        QTest::newRow("number") << QJsonValue(1767225599.0) << qint64(1767225599);
        QTest::newRow("string") << QJsonValue(QStringLiteral("1767225599")) << qint64(1767225599);
        QTest::newRow("padded string") << QJsonValue(QStringLiteral(" 1767225599 ")) << qint64(1767225599);
        QTest::newRow("decimal string") << QJsonValue(QStringLiteral("1767225599.0")) << qint64(1767225599);
        QTest::newRow("azure ml linux date")
            << QJsonValue(QStringLiteral("06/20/2019 02:57:58 +00:00")) << qint64(1560999478);
        QTest::newRow("azure ml windows date")
            << QJsonValue(QStringLiteral("6/20/2019 2:57:58 AM +00:00")) << qint64(1560999478);
        QTest::newRow("windows date pm")
            << QJsonValue(QStringLiteral("6/20/2019 2:57:58 PM +00:00")) << qint64(1560999478 + 12 * 3600);
        QTest::newRow("windows date 12 am")
            << QJsonValue(QStringLiteral("6/20/2019 12:57:58 AM +00:00")) << qint64(1560999478 - 2 * 3600);
        QTest::newRow("windows date 12 pm")
            << QJsonValue(QStringLiteral("6/20/2019 12:57:58 PM +00:00")) << qint64(1560999478 + 10 * 3600);
        QTest::newRow("offset") << QJsonValue(QStringLiteral("06/20/2019 04:57:58 +02:00"))
                                << qint64(1560999478);
        QTest::newRow("iso") << QJsonValue(QStringLiteral("2019-06-20T02:57:58Z")) << qint64(1560999478);
        QTest::newRow("iso without zone is utc")
            << QJsonValue(QStringLiteral("2019-06-20T02:57:58")) << qint64(1560999478);
        QTest::newRow("garbage") << QJsonValue(QStringLiteral("tomorrow")) << qint64(-1);
        QTest::newRow("impossible date")
            << QJsonValue(QStringLiteral("13/45/2019 02:57:58 +00:00")) << qint64(-1);
        QTest::newRow("13 pm") << QJsonValue(QStringLiteral("6/20/2019 13:57:58 PM +00:00")) << qint64(-1);
        QTest::newRow("empty") << QJsonValue(QString()) << qint64(-1);
        QTest::newRow("bool") << QJsonValue(true) << qint64(-1);
        QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << qint64(-1);
        // Numbers from outside are clamped to [0, 9999-12-31T23:59:59Z], never cast out of range.
        QTest::newRow("number 1e300") << QJsonValue(1e300) << limits::MaxEpochSeconds;
        QTest::newRow("number -1e300") << QJsonValue(-1e300) << qint64(0);
        QTest::newRow("number 2^63") << QJsonValue(9223372036854775808.0) << limits::MaxEpochSeconds;
        QTest::newRow("string 2^63-1")
            << QJsonValue(QStringLiteral("9223372036854775807")) << limits::MaxEpochSeconds;
        QTest::newRow("string -2^63") << QJsonValue(QStringLiteral("-9223372036854775808")) << qint64(0);
        QTest::newRow("string 1e300") << QJsonValue(QStringLiteral("1e300")) << limits::MaxEpochSeconds;
        QTest::newRow("string -1e300") << QJsonValue(QStringLiteral("-1e300")) << qint64(0);
        QTest::newRow("string inf") << QJsonValue(QStringLiteral("inf")) << limits::MaxEpochSeconds;
        QTest::newRow("string nan") << QJsonValue(QStringLiteral("nan")) << qint64(-1);
        QTest::newRow("last second") << QJsonValue(QStringLiteral("9999-12-31T23:59:59Z"))
                                     << limits::MaxEpochSeconds;
    }

    void parsesExpiresOn()
    {
        QFETCH(QJsonValue, value);
        QFETCH(qint64, expected);
        const auto parsed = parseExpiresOn(value);
        if (expected < 0) {
            QVERIFY(!parsed);
            return;
        }
        QVERIFY(parsed);
        QCOMPARE(*parsed, expected);
    }

    void tokenLifetime_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("expiresOn"); // -1: no token
        QTest::addColumn<qint64>("refreshOn"); // -1: none

        QTest::newRow("imds strings, half of a day")
            << QByteArray(
                   R"({"access_token":"t","expires_in":"86399","expires_on":"1","token_type":"Bearer"})")
            << Now + 86399 << Now + 86399 / 2;
        QTest::newRow("expires_on only (app service)")
            << QByteArray(R"({"access_token":"t","expires_on":"1767146399"})") << qint64(1767146399)
            << Now + 3600;
        QTest::newRow("two hours exactly")
            << QByteArray(R"({"access_token":"t","expires_in":7200})") << Now + 7200 << Now + 3600;
        QTest::newRow("shorter: no refresh_on")
            << QByteArray(R"({"access_token":"t","expires_in":7199})") << Now + 7199 << qint64(-1);
        QTest::newRow("refresh_in wins")
            << QByteArray(R"({"access_token":"t","expires_in":86400,"refresh_in":600})") << Now + 86400
            << Now + 600;
        QTest::newRow("azure ml date")
            << QByteArray(R"({"access_token":"t","expires_on":"01/01/2026 00:59:59 +00:00"})")
            << qint64(1767229199) << Now + (1767229199 - Now) / 2;
        QTest::newRow("no expiry") << QByteArray(R"({"access_token":"t"})") << qint64(-1) << qint64(-1);
        QTest::newRow("no token") << QByteArray(R"({"expires_in":3600})") << qint64(-1) << qint64(-1);
        QTest::newRow("zero expires_in falls back")
            << QByteArray(R"({"access_token":"t","expires_in":0,"expires_on":5})") << qint64(5) << qint64(-1);
        // Numbers from outside: clamped at the parser, so adding them to now cannot overflow.
        const qint64 year = limits::MaxTokenLifetime;
        QTest::newRow("expires_in 2^63-1 as a string")
            << QByteArray(R"({"access_token":"t","expires_in":"9223372036854775807"})") << Now + year
            << Now + year / 2;
        QTest::newRow("expires_in 2^63-1 as a number")
            << QByteArray(R"({"access_token":"t","expires_in":9223372036854775807})") << Now + year
            << Now + year / 2;
        QTest::newRow("expires_in 1e300")
            << QByteArray(R"({"access_token":"t","expires_in":1e300})") << Now + year << Now + year / 2;
        QTest::newRow("expires_in -1e300 falls back")
            << QByteArray(R"({"access_token":"t","expires_in":-1e300,"expires_on":5})") << qint64(5)
            << qint64(-1);
        QTest::newRow("expires_on 1e300")
            << QByteArray(R"({"access_token":"t","expires_on":1e300})") << limits::MaxEpochSeconds
            << Now + (limits::MaxEpochSeconds - Now) / 2;
        QTest::newRow("expires_on -2^63")
            << QByteArray(R"({"access_token":"t","expires_on":"-9223372036854775808"})") << qint64(0)
            << qint64(-1);
        QTest::newRow("refresh_in 2^63-1")
            << QByteArray(R"({"access_token":"t","expires_in":3600,"refresh_in":"9223372036854775807"})")
            << Now + 3600 << Now + year;
        QTest::newRow("refresh_in -1e300 ignored")
            << QByteArray(R"({"access_token":"t","expires_in":3600,"refresh_in":-1e300})") << Now + 3600
            << qint64(-1);
    }

    void tokenLifetime()
    {
        QFETCH(QByteArray, body);
        QFETCH(qint64, expiresOn);
        QFETCH(qint64, refreshOn);
        const auto token = tokenFromJson(QJsonDocument::fromJson(body).object(), Now);
        QCOMPARE(token.has_value(), expiresOn >= 0);
        if (!token)
            return;
        QCOMPARE(token->expiresOn, expiresOn);
        QCOMPARE(token->refreshOn.value_or(-1), refreshOn);
        QCOMPARE(token->token.revealString(), QStringLiteral("t"));
    }

    void imdsRetrySchedule_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QList<qint64>>("delays");

        QTest::newRow("500: factor 0.8 s") << 500 << QList<qint64>{0, 1600, 3200, 6400, 12800};
        QTest::newRow("404") << 404 << QList<qint64>{0, 1600, 3200, 6400, 12800};
        QTest::newRow("410: factor 2.5 s, ~75 s") << 410 << QList<qint64>{0, 5000, 10000, 20000, 40000};
    }

    void imdsRetrySchedule()
    {
        QFETCH(int, status);
        QFETCH(QList<qint64>, delays);
        QCOMPARE(delays.size(), ImdsMaxRetries);
        qint64 total = 0;
        for (int retry = 1; retry <= ImdsMaxRetries; ++retry) {
            const qint64 delay = imdsRetryDelay(retry, status, std::chrono::milliseconds(800)).count();
            QCOMPARE(delay, delays[retry - 1]);
            total += delay;
        }
        if (status == 410)
            QVERIFY2(total >= 70000, "IMDS asks clients to retry 410 for at least 70 s");
        QVERIFY(isImdsRetryableStatus(status));
        QCOMPARE(imdsRetryDelay(12, 500, std::chrono::milliseconds(800)).count(), qint64(120000));
    }

    void imdsRetryableStatuses()
    {
        for (int status : {404, 408, 410, 429, 500, 502, 503, 504, 599})
            QVERIFY2(isImdsRetryableStatus(status), qPrintable(QString::number(status)));
        for (int status : {200, 400, 401, 403, 409})
            QVERIFY2(!isImdsRetryableStatus(status), qPrintable(QString::number(status)));
    }

    void arcChallenge_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("realm"); // empty: an error

        QTest::newRow("agent") << QByteArray("Basic realm=/var/opt/azcmagent/tokens/abc.key")
                               << QStringLiteral("/var/opt/azcmagent/tokens/abc.key");
        QTest::newRow("case and spaces")
            << QByteArray("basic REALM = /t/a.key") << QStringLiteral("/t/a.key");
        QTest::newRow("quoted") << QByteArray(R"(Basic realm="/t/a.key")") << QStringLiteral("/t/a.key");
        QTest::newRow("windows")
            << QByteArray(R"(Basic realm=C:\ProgramData\AzureConnectedMachineAgent\Tokens\a.key)")
            << QStringLiteral(R"(C:\ProgramData\AzureConnectedMachineAgent\Tokens\a.key)");
        QTest::newRow("bearer") << QByteArray("Bearer realm=/t/a.key") << QString();
        QTest::newRow("no equals") << QByteArray("Basic /t/a.key") << QString();
        QTest::newRow("two equals") << QByteArray("Basic realm=/t/a=b.key") << QString();
        QTest::newRow("empty realm") << QByteArray("Basic realm=") << QString();
        QTest::newRow("missing") << QByteArray() << QString();
    }

    void arcChallenge()
    {
        QFETCH(QByteArray, header);
        QFETCH(QString, realm);
        const auto parsed = arcRealmFromChallenge(header);
        QCOMPARE(parsed.ok(), !realm.isEmpty());
        if (parsed.ok()) {
            QCOMPARE(parsed.value(), realm);
        } else {
            QCOMPARE(parsed.error().kind, ErrorKind::ClientAuthentication);
            QVERIFY(
                parsed.error().message.contains(QStringLiteral("Unrecognizable WWW-Authenticate header")));
        }
    }

    void arcFirstAnswer()
    {
        HttpResponse challenge = answer(401, "{}");
        challenge.headers.insert("www-authenticate", "Basic realm=/t/k.key");
        QCOMPARE(interpretArcChallenge(challenge).value(), QStringLiteral("/t/k.key"));
        const auto notChallenged = interpretArcChallenge(answer(200, R"({"access_token":"x"})"));
        QCOMPARE(notChallenged.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY(notChallenged.error().message.contains(
            QStringLiteral("Azure Arc managed identity configuration not found")));
        const auto silent = interpretArcChallenge(answer(0, {}));
        QCOMPARE(silent.error().kind, ErrorKind::CredentialUnavailable);
        const auto noHeader = interpretArcChallenge(answer(401, "{}"));
        QCOMPARE(noHeader.error().kind, ErrorKind::ClientAuthentication);
    }

    void arcKeyFileRules_data()
    {
        QTest::addColumn<QString>("realm"); // relative to the temporary root; {dir} is the allowed directory
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");

        QTest::newRow("valid") << QStringLiteral("tokens/good.key") << true << QString();
        QTest::newRow("exactly 4096 bytes") << QStringLiteral("tokens/max.key") << true << QString();
        QTest::newRow("4097 bytes") << QStringLiteral("tokens/big.key") << false << QStringLiteral("4KB");
        QTest::newRow("wrong extension")
            << QStringLiteral("tokens/good.txt") << false << QStringLiteral(".key");
        QTest::newRow("outside the directory")
            << QStringLiteral("elsewhere/good.key") << false << QStringLiteral("must be in");
        QTest::newRow("traversal") << QStringLiteral("tokens/../elsewhere/good.key") << false
                                   << QStringLiteral("must be in");
        QTest::newRow("subdirectory")
            << QStringLiteral("tokens/sub/good.key") << false << QStringLiteral("must be in");
        QTest::newRow("missing") << QStringLiteral("tokens/none.key") << false
                                 << QStringLiteral("no such file");
        QTest::newRow("link out") << QStringLiteral("tokens/link.key") << false
                                  << QStringLiteral("links out");
        QTest::newRow("relative") << QStringLiteral("RELATIVE") << false << QStringLiteral("relative");
    }

    void arcKeyFileRules()
    {
        QFETCH(QString, realm);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QDir dir(root.path());
        QVERIFY(dir.mkpath(QStringLiteral("tokens/sub")) && dir.mkpath(QStringLiteral("elsewhere")));
        auto write = [&dir](const QString &name, const QByteArray &contents) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(contents);
        };
        write(QStringLiteral("tokens/good.key"), "secret-key");
        write(QStringLiteral("tokens/max.key"), QByteArray(4096, 'k'));
        write(QStringLiteral("tokens/big.key"), QByteArray(4097, 'k'));
        write(QStringLiteral("tokens/good.txt"), "secret-key");
        write(QStringLiteral("tokens/sub/good.key"), "secret-key");
        write(QStringLiteral("elsewhere/good.key"), "secret-key");
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("elsewhere/good.key")),
                            dir.filePath(QStringLiteral("tokens/link.key"))));

        const QString path =
            realm == QLatin1String("RELATIVE") ? QStringLiteral("tokens/good.key") : dir.filePath(realm);
        const auto key = readArcKeyFile(path, dir.filePath(QStringLiteral("tokens")));
        QCOMPARE(key.ok(), ok);
        if (ok) {
            QVERIFY(!key.value().isEmpty());
            QVERIFY(key.value().size() <= ArcKeyFileMaxBytes);
        } else {
            QCOMPARE(key.error().kind, ErrorKind::ClientAuthentication);
            QVERIFY2(key.error().message.contains(message), qPrintable(key.error().message));
            QVERIFY(!key.error().message.contains(QStringLiteral("secret-key")));
        }
    }

    void arcKeyFileUnsupportedPlatform()
    {
        const auto key = readArcKeyFile(QStringLiteral("/var/opt/azcmagent/tokens/a.key"), QString());
        QCOMPARE(key.error().kind, ErrorKind::ClientAuthentication);
        QVERIFY(key.error().message.contains(QStringLiteral("not supported on this platform")));
#ifdef Q_OS_LINUX
        QCOMPARE(platformArcKeyDirectory(), QStringLiteral("/var/opt/azcmagent/tokens"));
#endif
    }

    void arcConfirmsIdentity_data()
    {
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("confirmed");

        QTest::newRow("system") << Kind::SystemAssigned << QByteArray("{}") << true;
        QTest::newRow("client id echoed") << Kind::ClientId << QByteArray(R"({"client_id":"ABC"})") << true;
        QTest::newRow("client id missing") << Kind::ClientId << QByteArray("{}") << false;
        QTest::newRow("other client id") << Kind::ClientId << QByteArray(R"({"client_id":"xyz"})") << false;
        QTest::newRow("object id") << Kind::ObjectId << QByteArray(R"({"Object_Id":"abc"})") << true;
        QTest::newRow("msi_res_id") << Kind::ResourceId << QByteArray(R"({"msi_res_id":"abc"})") << true;
        QTest::newRow("mi_res_id") << Kind::ResourceId << QByteArray(R"({"mi_res_id":"abc"})") << true;
    }

    void arcConfirmsIdentity()
    {
        QFETCH(Kind, kind);
        QFETCH(QByteArray, body);
        QFETCH(bool, confirmed);
        QCOMPARE(detail::arcConfirmsIdentity(QJsonDocument::fromJson(body).object(),
                                             ManagedIdentityId{kind, QStringLiteral("abc")}),
                 confirmed);
    }

    void thumbprints_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QByteArray>("normalized"); // empty: invalid

        const QByteArray hex = "d85856e07e99fcf4392d322dec22a11ec37ab736";
        QTest::newRow("upper") << QStringLiteral("D85856E07E99FCF4392D322DEC22A11EC37AB736") << hex;
        QTest::newRow("colons") << QStringLiteral(
                                       "D8:58:56:E0:7E:99:FC:F4:39:2D:32:2D:EC:22:A1:1E:C3:7A:B7:36")
                                << hex;
        QTest::newRow("spaces") << QStringLiteral(
                                       " d8 58 56 e0 7e 99 fc f4 39 2d 32 2d ec 22 a1 1e c3 7a b7 36 ")
                                << hex;
        QTest::newRow("too short") << QStringLiteral("D85856") << QByteArray();
        QTest::newRow("sha-256 length") << QString(64, QLatin1Char('a')) << QByteArray();
        QTest::newRow("not hex") << QStringLiteral("Z85856E07E99FCF4392D322DEC22A11EC37AB736")
                                 << QByteArray();
    }

    void thumbprints()
    {
        QFETCH(QString, given);
        QFETCH(QByteArray, normalized);
        const auto result = normalizeThumbprint(given);
        QCOMPARE(result.value_or(QByteArray()), normalized);
    }

    void interpretsAnswers_data()
    {
        QTest::addColumn<Source>("source");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<Kind>("identity");
        QTest::addColumn<int>("outcome"); // 0 token, 1 unavailable, 2 authentication failed
        QTest::addColumn<QString>("message");

        const QByteArray imdsToken =
            R"({"access_token":"tok","expires_in":"86399","expires_on":"1","resource":"r","token_type":"Bearer"})";
        const QByteArray json = "application/json";
        const QByteArray html = "text/html";

        QTest::newRow("imds token") << Source::Imds << 200 << imdsToken << json << Kind::SystemAssigned << 0
                                    << QString();
        QTest::newRow("imds identity not found")
            << Source::Imds << 400
            << QByteArray(R"({"error":"invalid_request","error_description":"Identity not found"})") << json
            << Kind::ClientId << 1
            << QStringLiteral("The requested identity has not been assigned to this resource");
        QTest::newRow("imds no identity")
            << Source::Imds << 400
            << QByteArray(R"({"error":"invalid_request","error_description":"Identity not found"})") << json
            << Kind::SystemAssigned << 1 << QStringLiteral("No identity has been assigned to this resource");
        QTest::newRow("imds other 400")
            << Source::Imds << 400
            << QByteArray(
                   R"({"error":"invalid_resource","error_description":"AADSTS500011: no such resource\r\nTrace ID: x"})")
            << json << Kind::SystemAssigned << 1
            << QStringLiteral("(invalid_resource) AADSTS500011: no such resource");
        QTest::newRow("imds 410 after retries") << Source::Imds << 410 << QByteArray("gone") << html
                                                << Kind::SystemAssigned << 1 << QStringLiteral("HTTP 410");
        QTest::newRow("imds docker") << Source::Imds << 403
                                     << QByteArray(
                                            "A socket operation was attempted to an unreachable network.")
                                     << html << Kind::SystemAssigned << 1 << QStringLiteral("unreachable");
        QTest::newRow("imds no answer")
            << Source::Imds << 0 << QByteArray() << QByteArray() << Kind::SystemAssigned << 1
            << QStringLiteral("no response from the IMDS endpoint");
        QTest::newRow("imds not json") << Source::Imds << 200 << QByteArray("<html/>") << html
                                       << Kind::SystemAssigned << 1 << QStringLiteral("not JSON");
        QTest::newRow("imds no expiry")
            << Source::Imds << 200 << QByteArray(R"({"access_token":"x"})") << json << Kind::SystemAssigned
            << 1 << QStringLiteral("no access token and expiry");

        QTest::newRow("app service token")
            << Source::AppService << 200
            << QByteArray(R"({"access_token":"tok","expires_on":"1767146399","resource":"r"})") << json
            << Kind::SystemAssigned << 0 << QString();
        QTest::newRow("app service error")
            << Source::AppService << 400
            << QByteArray(R"({"statusCode":400,"message":"No managed identity found"})") << json
            << Kind::ClientId << 1
            << QStringLiteral("App Service managed identity configuration not found in environment. Token "
                              "request error: (HTTP 400) No managed identity found");
        QTest::newRow("app service not json") << Source::AppService << 500 << QByteArray("<html/>") << html
                                              << Kind::SystemAssigned << 2 << QStringLiteral("not JSON");
        QTest::newRow("app service no expiry")
            << Source::AppService << 200 << QByteArray(R"({"access_token":"x"})") << json
            << Kind::SystemAssigned << 1 << QStringLiteral("not found in environment");

        QTest::newRow("arc token") << Source::AzureArc << 200 << imdsToken << json << Kind::SystemAssigned
                                   << 0 << QString();
        QTest::newRow("arc unconfirmed identity") << Source::AzureArc << 200 << imdsToken << json
                                                  << Kind::ClientId << 2 << QStringLiteral("did not confirm");
        QTest::newRow("arc second 401")
            << Source::AzureArc << 401
            << QByteArray(R"({"error":"unauthorized_client","error_description":"bad key"})") << json
            << Kind::SystemAssigned << 1 << QStringLiteral("(unauthorized_client) bad key");
        QTest::newRow("arc not json") << Source::AzureArc << 200 << QByteArray("oops") << html
                                      << Kind::SystemAssigned << 1 << QStringLiteral("not JSON");

        QTest::newRow("service fabric token")
            << Source::ServiceFabric << 200
            << QByteArray(R"({"access_token":"tok","expires_on":1767146399,"token_type":"Bearer"})") << json
            << Kind::SystemAssigned << 0 << QString();
        QTest::newRow("service fabric secret missing")
            << Source::ServiceFabric << 401
            << QByteArray(
                   R"({"error":{"code":"SecretHeaderNotFound","message":"Secret is not found in the request headers."}})")
            << json << Kind::SystemAssigned << 1
            << QStringLiteral("(unauthorized_client) SecretHeaderNotFound: Secret is not found");
        QTest::newRow("service fabric identity")
            << Source::ServiceFabric << 404
            << QByteArray(R"({"error":{"code":"ManagedIdentityNotFound","message":"m"}})") << json
            << Kind::SystemAssigned << 1 << QStringLiteral("(invalid_client) ManagedIdentityNotFound");
        QTest::newRow("service fabric other code")
            << Source::ServiceFabric << 400 << QByteArray(R"({"error":{"code":"Whatever","message":"m"}})")
            << json << Kind::SystemAssigned << 1 << QStringLiteral("(invalid_request) Whatever");
        QTest::newRow("service fabric not json")
            << Source::ServiceFabric << 502 << QByteArray("bad gateway") << html << Kind::SystemAssigned << 2
            << QStringLiteral("not JSON");

        QTest::newRow("azure ml token")
            << Source::AzureMl << 200
            << QByteArray(R"({"access_token":"tok","expires_on":"6/20/2030 2:57:58 AM +00:00"})") << json
            << Kind::SystemAssigned << 0 << QString();
        QTest::newRow("azure ml error")
            << Source::AzureMl << 400 << QByteArray(R"({"statusCode":400,"message":"nope"})") << json
            << Kind::SystemAssigned << 1
            << QStringLiteral("Azure ML managed identity configuration not found in environment");

        QTest::newRow("cloud shell token")
            << Source::CloudShell << 200
            << QByteArray(R"({"access_token":"tok","expires_in":"3599","resource":"r"})") << json
            << Kind::SystemAssigned << 0 << QString();
        QTest::newRow("cloud shell html")
            << Source::CloudShell << 502 << QByteArray("<html/>") << html << Kind::SystemAssigned << 1
            << QStringLiteral("Unexpected content type \"text/html\"");
        QTest::newRow("cloud shell broken json")
            << Source::CloudShell << 200 << QByteArray(R"({"access_token":)") << json << Kind::SystemAssigned
            << 2 << QStringLiteral("Failed to deserialize JSON from response");
        QTest::newRow("cloud shell empty")
            << Source::CloudShell << 200 << QByteArray() << json << Kind::SystemAssigned << 2
            << QStringLiteral("No token received");
        QTest::newRow("cloud shell no token")
            << Source::CloudShell << 400
            << QByteArray(R"({"error":"invalid_request","error_description":"bad"})") << json
            << Kind::SystemAssigned << 2 << QStringLiteral("Unexpected response");
    }

    void interpretsAnswers()
    {
        QFETCH(Source, source);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(Kind, identity);
        QFETCH(int, outcome);
        QFETCH(QString, message);
        HttpResponse response = answer(status, body, contentType);
        if (status == 0)
            response.transportError = QStringLiteral("Connection refused");
        const auto selected = select(variablesOf(source));
        QCOMPARE(selected->kind(), source);
        const auto result =
            selected->interpret(response, ManagedIdentityId{identity, QStringLiteral("abc")}, Now);
        if (outcome == 0) {
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
            QCOMPARE(result.value().token.revealString(), QStringLiteral("tok"));
            QVERIFY(result.value().expiresOn > Now);
            return;
        }
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind,
                 outcome == 1 ? ErrorKind::CredentialUnavailable : ErrorKind::ClientAuthentication);
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        QCOMPARE(result.error().httpStatus, status);
        QCOMPARE(result.error().correlationId, response.clientRequestId);
        QVERIFY(!result.error().message.contains(QStringLiteral("\"tok\"")));
    }
};

QTEST_GUILESS_MAIN(TestManagedIdentitySources)
#include "tst_managedidentitysources.moc"
