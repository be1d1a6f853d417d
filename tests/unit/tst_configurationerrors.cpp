// Configuration errors fail fast, as azure.identity's ValueError: createCredential() gives the error
// instead of the credential, configurationError() has it from construction, every request fails with
// it at once (nothing is sent), its kind is ClientAuthentication so that chains stop on it, and
// DefaultAzureCredential reports its members' as its own.
#include "azid/azureclicredential.h"
#include "azid/chainedtokencredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/defaultazurecredential.h"
#include "azid/environmentcredential.h"
#include "azid/interactivebrowsercredential.h"

#include <QProcessEnvironment>
#include <QtTest>

using namespace azid;

namespace {

const QString Tenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Client = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QStringList Arm{QStringLiteral("https://management.azure.com/.default")};

QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    for (const QString &assignment : assignments)
        environment.insert(assignment.section(QLatin1Char('='), 0, 0),
                           assignment.section(QLatin1Char('='), 1));
    return environment;
}

// A credential that is unavailable and counts its requests.
class Unavailable final : public TokenCredential
{
public:
    int requests = 0;
    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &) override
    {
        ++requests;
        return QtFuture::makeReadyFuture(TokenResult(AuthError::unavailable(QStringLiteral("not here"))));
    }
    QString name() const override { return QStringLiteral("Unavailable"); }
};

TokenResult now(TokenCredential &credential)
{
    TokenRequestOptions options;
    options.scopes = Arm;
    const QFuture<TokenResult> future = credential.getTokenInfo(options);
    // A configuration error needs no event loop: the answer is there at once.
    if (!future.isFinished() || future.resultCount() != 1)
        return AuthError::unavailable(QStringLiteral("<not finished at once>"));
    return future.result();
}

void expectConfigurationError(const std::optional<AuthError> &error, const QString &text)
{
    QVERIFY2(error.has_value(), "no configuration error");
    QCOMPARE(error->kind, ErrorKind::ClientAuthentication);
    QVERIFY(error->invalidConfiguration);
    QVERIFY(!error->isUnavailable());
    QVERIFY2(error->message.contains(text, Qt::CaseInsensitive), qPrintable(error->message));
}

} // namespace

class TestConfigurationErrors : public QObject
{
    Q_OBJECT

private slots:
    void clientSecretCredential_data()
    {
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("authority");
        QTest::addColumn<QString>("text"); // empty: no error
        QTest::newRow("fine") << Tenant << QStringLiteral("s3cret") << QString() << QString();
        QTest::newRow("empty secret") << Tenant << QString() << QString() << QStringLiteral("client secret");
        QTest::newRow("http authority")
            << Tenant << QStringLiteral("s3cret") << QStringLiteral("http://login.example.org")
            << QStringLiteral("https");
        QTest::newRow("authority with a path")
            << Tenant << QStringLiteral("s3cret") << QStringLiteral("https://login.example.org/tenant")
            << QStringLiteral("path");
        QTest::newRow("empty tenant")
            << QString() << QStringLiteral("s3cret") << QString() << QStringLiteral("tenant");
        QTest::newRow("invalid tenant") << QStringLiteral("not/a tenant") << QStringLiteral("s3cret")
                                        << QString() << QStringLiteral("tenant");
        QTest::newRow("invalid region") << Tenant << QStringLiteral("s3cret")
                                        << QStringLiteral("region:west us") << QStringLiteral("region");
    }
    void clientSecretCredential()
    {
        QFETCH(QString, tenant);
        QFETCH(QString, secret);
        QFETCH(QString, authority);
        QFETCH(QString, text);
        ClientSecretCredentialOptions options;
        if (authority.startsWith(QStringLiteral("region:")))
            options.regionalAuthority = authority.mid(7);
        else
            options.authority = authority;
        const auto made =
            createCredential<ClientSecretCredential>(tenant, Client, Secret::fromString(secret), options);
        if (text.isEmpty()) {
            QVERIFY(made.ok());
            QVERIFY(!made.value()->configurationError());
            return;
        }
        QVERIFY(!made.ok());
        expectConfigurationError(made.error(), text);
        // Made anyway, the credential fails every request at once with the same error.
        ClientSecretCredential credential(tenant, Client, Secret::fromString(secret), options);
        expectConfigurationError(credential.configurationError(), text);
        const TokenResult result = now(credential);
        QVERIFY(!result.ok());
        expectConfigurationError(result.error(), text);
    }

    // AZURE_CLIENT_SECRET set but empty, with the other variables: azure.identity's ValueError, not
    // EnvironmentCredential's "unavailable" of variables that are not set.
    void environmentCredential()
    {
        EnvironmentCredentialOptions options;
        options.environment = environmentOf({QStringLiteral("AZURE_TENANT_ID=") + Tenant,
                                             QStringLiteral("AZURE_CLIENT_ID=") + Client,
                                             QStringLiteral("AZURE_CLIENT_SECRET=")});
        EnvironmentCredential empty(options);
        expectConfigurationError(empty.configurationError(), QStringLiteral("client secret"));
        QVERIFY(!createCredential<EnvironmentCredential>(options).ok());

        options.environment = environmentOf(
            {QStringLiteral("AZURE_TENANT_ID=") + Tenant, QStringLiteral("AZURE_CLIENT_ID=") + Client});
        EnvironmentCredential missing(options);
        QVERIFY(!missing.configurationError());
        const TokenResult result = now(missing);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY(!result.error().invalidConfiguration);

        options.environment = environmentOf(
            {QStringLiteral("AZURE_TENANT_ID=") + Tenant, QStringLiteral("AZURE_CLIENT_ID=") + Client,
             QStringLiteral("AZURE_CLIENT_SECRET=s3cret"),
             QStringLiteral("AZURE_AUTHORITY_HOST=http://login.example.org")});
        EnvironmentCredential http(options);
        expectConfigurationError(http.configurationError(), QStringLiteral("https"));
    }

    void defaultAzureCredential_data()
    {
        QTest::addColumn<QStringList>("environment");
        QTest::addColumn<QString>("text"); // empty: no error
        const QStringList nothing{QStringLiteral("AZURE_TOKEN_CREDENTIALS=dev")};
        QTest::newRow("fine") << nothing << QString();
        QTest::newRow("invalid AZURE_TOKEN_CREDENTIALS")
            << QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=everything")}
            << QStringLiteral("AZURE_TOKEN_CREDENTIALS");
        QTest::newRow("empty AZURE_CLIENT_SECRET") << QStringList{QStringLiteral("AZURE_TENANT_ID=") + Tenant,
                                                                  QStringLiteral("AZURE_CLIENT_ID=") + Client,
                                                                  QStringLiteral("AZURE_CLIENT_SECRET=")}
                                                   << QStringLiteral("EnvironmentCredential");
        QTest::newRow("http AZURE_AUTHORITY_HOST")
            << QStringList{QStringLiteral("AZURE_TENANT_ID=") + Tenant,
                           QStringLiteral("AZURE_CLIENT_ID=") + Client,
                           QStringLiteral("AZURE_CLIENT_SECRET=s3cret"),
                           QStringLiteral("AZURE_AUTHORITY_HOST=http://login.example.org")}
            << QStringLiteral("https");
    }
    void defaultAzureCredential()
    {
        QFETCH(QStringList, environment);
        QFETCH(QString, text);
        DefaultAzureCredentialOptions options;
        options.environment = environmentOf(environment + QStringList{QStringLiteral("PATH=/nonexistent")});
        const auto made = createCredential<DefaultAzureCredential>(options);
        if (text.isEmpty()) {
            QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().toString()));
            return;
        }
        QVERIFY(!made.ok());
        expectConfigurationError(made.error(), text);
        DefaultAzureCredential credential(options);
        const TokenResult result = now(credential);
        QVERIFY(!result.ok());
        expectConfigurationError(result.error(), text);
    }

    // A chain that holds a misconfigured credential fails at once, before asking any member; and an
    // empty chain is one too.
    void chainStopsOnConfigurationErrors()
    {
        auto unavailable = std::make_shared<Unavailable>();
        auto misconfigured = std::make_shared<ClientSecretCredential>(Tenant, Client, Secret());
        ChainedTokenCredential chain({unavailable, misconfigured});
        expectConfigurationError(chain.configurationError(), QStringLiteral("ClientSecretCredential"));
        const TokenResult result = now(chain);
        QVERIFY(!result.ok());
        expectConfigurationError(result.error(), QStringLiteral("client secret"));
        QCOMPARE(unavailable->requests, 0);

        ChainedTokenCredential empty({});
        expectConfigurationError(empty.configurationError(), QStringLiteral("at least one credential"));
        QVERIFY(!createCredential<ChainedTokenCredential>(QList<std::shared_ptr<TokenCredential>>{}).ok());

        ChainedTokenCredential fine({unavailable});
        QVERIFY(!fine.configurationError());
        const TokenResult passed = now(fine);
        QVERIFY(!passed.ok());
        QVERIFY(!passed.error().invalidConfiguration);
        QCOMPARE(unavailable->requests, 1);
    }

    // DefaultAzureCredential's authority reaches every member that takes one: an http authority is
    // each one's configuration error, so the chain reports the first member given it.
    void defaultAuthorityReachesEveryMember_data()
    {
        QTest::addColumn<QString>("member");
        QTest::addColumn<QStringList>("environment");
        QTest::newRow("WorkloadIdentityCredential")
            << QStringLiteral("WorkloadIdentityCredential")
            << QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=WorkloadIdentityCredential"),
                           QStringLiteral("AZURE_TENANT_ID=") + Tenant,
                           QStringLiteral("AZURE_CLIENT_ID=") + Client,
                           QStringLiteral("AZURE_FEDERATED_TOKEN_FILE=/nonexistent/token")};
        QTest::newRow("InteractiveBrowserCredential")
            << QStringLiteral("InteractiveBrowserCredential")
            << QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=InteractiveBrowserCredential")};
        QTest::newRow("EnvironmentCredential")
            << QStringLiteral("EnvironmentCredential")
            << QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=EnvironmentCredential"),
                           QStringLiteral("AZURE_TENANT_ID=") + Tenant,
                           QStringLiteral("AZURE_CLIENT_ID=") + Client,
                           QStringLiteral("AZURE_CLIENT_SECRET=s3cret")};
    }
    void defaultAuthorityReachesEveryMember()
    {
        QFETCH(QString, member);
        QFETCH(QStringList, environment);
        DefaultAzureCredentialOptions options;
        options.environment = environmentOf(environment);
        options.authority = QStringLiteral("http://login.example.org");
        DefaultAzureCredential credential(options);
        QCOMPARE(credential.credentialNames(), QStringList{member});
        expectConfigurationError(credential.configurationError(), QStringLiteral("https"));
        QVERIFY2(credential.configurationError()->message.contains(member),
                 qPrintable(credential.configurationError()->message));

        options.authority = QStringLiteral("login.example.org");
        QVERIFY(!DefaultAzureCredential(options).configurationError());
    }

    void otherCredentials()
    {
        InteractiveBrowserCredentialOptions browser;
        browser.redirectUri = QStringLiteral("https://localhost:8400");
        expectConfigurationError(InteractiveBrowserCredential(browser).configurationError(),
                                 QStringLiteral("redirect_uri"));
        InteractiveBrowserCredentialOptions httpAuthority;
        httpAuthority.authority = QStringLiteral("http://login.example.org");
        expectConfigurationError(InteractiveBrowserCredential(httpAuthority).configurationError(),
                                 QStringLiteral("https"));

        AzureCliCredentialOptions cli;
        cli.tenantId = QStringLiteral("not a tenant!");
        expectConfigurationError(AzureCliCredential(cli).configurationError(), QStringLiteral("tenant"));
        QVERIFY(!AzureCliCredential().configurationError());
    }
};

QTEST_GUILESS_MAIN(TestConfigurationErrors)
#include "tst_configurationerrors.moc"
