// ChainedTokenCredential and DefaultAzureCredential's chain logic with scripted credentials: the
// order members are tried in, which failures end the chain, the aggregated message naming every
// attempt, DefaultAzureCredential remembering the credential that worked, and which credentials
// AZURE_TOKEN_CREDENTIALS and the exclude options leave in the chain. The real credentials in a
// real chain are tested in tests/integration/tst_defaultcredential.cpp.

#include "azid/chainedtokencredential.h"
#include "azid/defaultazurecredential.h"
#include "chainrunner.h"
#include "defaultchain.h"
#include "futures.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPromise>
#include <QTest>
#include <QTimer>

using namespace azid;

namespace {

// Every call of every fake, in order: "<name>".
QStringList s_calls;

// A credential that answers what it is told to, at once or from the event loop.
class FakeCredential final : public TokenCredential
{
public:
    FakeCredential(QString name, TokenResult answer, bool later = false)
        : m_name(std::move(name)), m_answer(std::move(answer)), m_later(later)
    {}

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override
    {
        s_calls << m_name;
        m_lastOptions = options;
        if (!m_later)
            return detail::ready(m_answer);
        auto promise = std::make_shared<QPromise<TokenResult>>();
        promise->start();
        QTimer::singleShot(0, [promise, answer = m_answer]() {
            promise->addResult(answer);
            promise->finish();
        });
        return promise->future();
    }
    QString name() const override { return m_name; }

    void setAnswer(TokenResult answer) { m_answer = std::move(answer); }
    const TokenRequestOptions &lastOptions() const { return m_lastOptions; }

private:
    QString m_name;
    TokenResult m_answer;
    bool m_later;
    TokenRequestOptions m_lastOptions;
};

TokenResult token(const QString &value)
{
    AccessTokenInfo info;
    info.token = Secret::fromString(value);
    info.expiresOn = 1893456000;
    return info;
}

TokenResult unavailable(const QString &message)
{
    return AuthError::unavailable(message);
}

TokenResult failed(const QString &message)
{
    return AuthError::authentication(message);
}

std::shared_ptr<FakeCredential> fake(const QString &name, TokenResult answer, bool later = false)
{
    return std::make_shared<FakeCredential>(name, std::move(answer), later);
}

TokenResult wait(QFuture<TokenResult> future)
{
    QDeadlineTimer deadline(10000);
    while (!future.isFinished() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (!future.isFinished() || future.resultCount() == 0)
        return AuthError::authentication(QStringLiteral("the future was canceled"));
    return future.result();
}

TokenRequestOptions request(QStringList scopes = {QStringLiteral("https://management.azure.com/.default")})
{
    TokenRequestOptions options;
    options.scopes = std::move(scopes);
    options.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    options.claims = QStringLiteral("{\"access_token\":{}}");
    return options;
}

const QString Troubleshoot =
    QStringLiteral("\nTo mitigate this issue, please refer to the troubleshooting guidelines here at "
                   "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot.");

QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/nonexistent"));
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return environment;
}

const QString Env = QStringLiteral("EnvironmentCredential");
const QString Workload = QStringLiteral("WorkloadIdentityCredential");
const QString Managed = QStringLiteral("ManagedIdentityCredential");
const QString Shared = QStringLiteral("SharedTokenCacheCredential");
const QString VsCode = QStringLiteral("VisualStudioCodeCredential");
const QString Cli = QStringLiteral("AzureCliCredential");
const QString PowerShell = QStringLiteral("AzurePowerShellCredential");
const QString Azd = QStringLiteral("AzureDeveloperCliCredential");
const QString Browser = QStringLiteral("InteractiveBrowserCredential");

} // namespace

class TestChains : public QObject
{
    Q_OBJECT

private slots:
    void init() { s_calls.clear(); }

    void chainReturnsTheFirstToken_data()
    {
        QTest::addColumn<bool>("later");
        QTest::newRow("answers at once") << false;
        QTest::newRow("answers from the event loop") << true;
    }
    void chainReturnsTheFirstToken()
    {
        QFETCH(bool, later);
        auto a = fake(QStringLiteral("A"), unavailable(QStringLiteral("A is not configured")), later);
        auto b = fake(QStringLiteral("B"),
                      TokenResult(AuthError::authenticationRequired({QStringLiteral("s")}, {},
                                                                    QStringLiteral("B needs a sign-in"))),
                      later);
        auto c = fake(QStringLiteral("C"), token(QStringLiteral("token-c")), later);
        auto d = fake(QStringLiteral("D"), token(QStringLiteral("token-d")), later);
        ChainedTokenCredential chain({a, b, c, d});
        const TokenResult result = wait(chain.getTokenInfo(request()));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(result.value().token.revealString(), QStringLiteral("token-c"));
        // AuthenticationRequired is a kind of unavailability: the chain went on past B.
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")}));
        QCOMPARE(chain.successfulCredential(), std::static_pointer_cast<TokenCredential>(c));
        // Every member got the request as it was made.
        QCOMPARE(a->lastOptions().scopes, request().scopes);
        QCOMPARE(c->lastOptions().tenantId, request().tenantId);
        QCOMPARE(c->lastOptions().claims, request().claims);
    }

    void chainIsNotSticky()
    {
        auto a = fake(QStringLiteral("A"), unavailable(QStringLiteral("no")));
        auto b = fake(QStringLiteral("B"), token(QStringLiteral("token-b")));
        ChainedTokenCredential chain({a, b});
        QVERIFY(wait(chain.getTokenInfo(request())).ok());
        a->setAnswer(token(QStringLiteral("token-a")));
        const TokenResult second = wait(chain.getTokenInfo(request()));
        QVERIFY(second.ok());
        QCOMPARE(second.value().token.revealString(), QStringLiteral("token-a"));
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("A")}));
        QCOMPARE(chain.successfulCredential(), std::static_pointer_cast<TokenCredential>(a));
    }

    void chainStopsAtAFailure_data()
    {
        QTest::addColumn<bool>("later");
        QTest::newRow("answers at once") << false;
        QTest::newRow("answers from the event loop") << true;
    }
    void chainStopsAtAFailure()
    {
        QFETCH(bool, later);
        auto a = fake(QStringLiteral("A"), unavailable(QStringLiteral("A is not configured")), later);
        auto b =
            fake(QStringLiteral("B"), failed(QStringLiteral("AADSTS7000215: Invalid client secret.")), later);
        auto c = fake(QStringLiteral("C"), token(QStringLiteral("token-c")), later);
        ChainedTokenCredential chain({a, b, c});
        const TokenResult result = wait(chain.getTokenInfo(request()));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(result.error().message,
                 QStringLiteral(
                     "ChainedTokenCredential failed to retrieve a token from the included credentials.\n"
                     "Attempted credentials:\n"
                     "\tA: A is not configured\n"
                     "\tB: AADSTS7000215: Invalid client secret.") +
                     Troubleshoot);
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
        QVERIFY(!chain.successfulCredential());
    }

    void chainNamesEveryAttempt()
    {
        ChainedTokenCredential chain({fake(QStringLiteral("A"), unavailable(QStringLiteral("first"))),
                                      fake(QStringLiteral("B"), unavailable(QString())),
                                      fake(QStringLiteral("A"), unavailable(QStringLiteral("first")))});
        const TokenResult result = wait(chain.getTokenInfo(request()));
        QVERIFY(!result.ok());
        // Not unavailable: a chain inside a chain stops the outer one.
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        // A credential without a message is named alone; messages are not deduplicated.
        QCOMPARE(result.error().message,
                 QStringLiteral(
                     "ChainedTokenCredential failed to retrieve a token from the included credentials.\n"
                     "Attempted credentials:\n\tA: first\n\tB\n\tA: first") +
                     Troubleshoot);
    }

    void nestedChainStopsTheOuterChain()
    {
        auto inner = std::make_shared<ChainedTokenCredential>(QList<std::shared_ptr<TokenCredential>>{
            fake(QStringLiteral("A"), unavailable(QStringLiteral("no")))});
        ChainedTokenCredential outer({inner, fake(QStringLiteral("B"), token(QStringLiteral("token-b")))});
        const TokenResult result = wait(outer.getTokenInfo(request()));
        QVERIFY(!result.ok());
        QCOMPARE(s_calls, QStringList{QStringLiteral("A")});
        QVERIFY(result.error().message.contains(QStringLiteral(
            "\tChainedTokenCredential: ChainedTokenCredential failed to retrieve a token from the included "
            "credentials.\nAttempted credentials:\n\tA: no\n")));
    }

    void emptyChain()
    {
        ChainedTokenCredential chain({});
        const TokenResult result = wait(chain.getTokenInfo(request()));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message, QStringLiteral("at least one credential is required"));
    }

    void failuresUnavailableMemberLetsTheChainGoOn()
    {
        detail::ChainMember shared{
            fake(QStringLiteral("S"), failed(QStringLiteral("invalid_grant"))), {}, true};
        detail::ChainMember next{fake(QStringLiteral("N"), token(QStringLiteral("token-n"))), {}, false};
        qsizetype succeeded = -1;
        const auto future = detail::runChain({shared, next}, request(), QStringLiteral("X"),
                                             [&succeeded](qsizetype index) { succeeded = index; });
        QVERIFY(future.isFinished());
        QCOMPARE(future.result().value().token.revealString(), QStringLiteral("token-n"));
        QCOMPARE(succeeded, 1);
        QCOMPARE(s_calls, (QStringList{QStringLiteral("S"), QStringLiteral("N")}));
    }

    // DefaultAzureCredential: the credential that gave a token is the only one asked afterwards,
    // and its errors come back as they are.
    void defaultChainRemembersTheCredentialThatWorked()
    {
        auto a = fake(QStringLiteral("A"), unavailable(QStringLiteral("A is not configured")));
        auto b = fake(QStringLiteral("B"), token(QStringLiteral("token-b")), true);
        auto c = fake(QStringLiteral("C"), token(QStringLiteral("token-c")));
        detail::DefaultChainMember ma, mb, mc;
        ma.credential = a;
        mb.credential = b;
        mc.credential = c;
        detail::DefaultChain chain({ma, mb, mc}, QStringLiteral("DefaultAzureCredential"));

        QCOMPARE(wait(chain.getTokenInfo(request())).value().token.revealString(), QStringLiteral("token-b"));
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
        a->setAnswer(token(QStringLiteral("token-a")));
        QCOMPARE(wait(chain.getTokenInfo(request())).value().token.revealString(), QStringLiteral("token-b"));
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("B")}));

        // B now fails: its own error, unaggregated, and no other credential is asked.
        b->setAnswer(unavailable(QStringLiteral("Please run 'az login' to set up an account")));
        const TokenResult failure = wait(chain.getTokenInfo(request()));
        QVERIFY(!failure.ok());
        QCOMPARE(failure.error().message, QStringLiteral("Please run 'az login' to set up an account"));
        QCOMPARE(s_calls, (QStringList{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("B"),
                                       QStringLiteral("B")}));
        QCOMPARE(chain.successful(), std::static_pointer_cast<TokenCredential>(b));
    }

    void defaultChainGoesToTheStandaloneCredentialAfterwards()
    {
        auto inChain = fake(QStringLiteral("Tool"), token(QStringLiteral("token-1")));
        auto standalone = fake(QStringLiteral("Tool"), failed(QStringLiteral("AADSTS70043: expired")));
        detail::DefaultChainMember tool;
        tool.credential = inChain;
        tool.standalone = [standalone]() -> std::shared_ptr<TokenCredential> { return standalone; };
        detail::DefaultChainMember after;
        after.credential = fake(QStringLiteral("After"), token(QStringLiteral("token-after")));
        detail::DefaultChain chain({tool, after}, QStringLiteral("DefaultAzureCredential"));
        QVERIFY(wait(chain.getTokenInfo(request())).ok());
        const TokenResult second = wait(chain.getTokenInfo(request()));
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(second.error().message, QStringLiteral("AADSTS70043: expired"));
        QCOMPARE(s_calls, (QStringList{QStringLiteral("Tool"), QStringLiteral("Tool")}));
    }

    void defaultChainFailureIsNotRemembered()
    {
        auto a = fake(QStringLiteral("A"), unavailable(QStringLiteral("not yet")));
        detail::DefaultChainMember ma;
        ma.credential = a;
        detail::DefaultChain chain({ma}, QStringLiteral("DefaultAzureCredential"));
        const TokenResult first = wait(chain.getTokenInfo(request()));
        QVERIFY(!first.ok());
        QCOMPARE(first.error().message,
                 QStringLiteral(
                     "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                     "Attempted credentials:\n\tA: not yet") +
                     Troubleshoot);
        a->setAnswer(token(QStringLiteral("token-a")));
        QVERIFY(wait(chain.getTokenInfo(request())).ok());
        QVERIFY(chain.successful());
    }

    // Which credentials DefaultAzureCredential puts in its chain.
    void defaultCredentialMembers_data()
    {
        QTest::addColumn<QString>("tokenCredentials");
        QTest::addColumn<QStringList>("excludeTrue");
        QTest::addColumn<QStringList>("excludeFalse");
        QTest::addColumn<QStringList>("expected");

        const QStringList all{Env, Workload, Managed, Shared, VsCode, Cli, PowerShell, Azd};
        const QStringList dev{Shared, VsCode, Cli, PowerShell, Azd};
        const QStringList prod{Env, Workload, Managed};
        QTest::newRow("defaults") << QString() << QStringList() << QStringList() << all;
        QTest::newRow("dev") << QStringLiteral("dev") << QStringList() << QStringList() << dev;
        QTest::newRow("DEV, spaces") << QStringLiteral("  DEV ") << QStringList() << QStringList() << dev;
        QTest::newRow("prod") << QStringLiteral("prod") << QStringList() << QStringList() << prod;
        QTest::newRow("one: cli") << QStringLiteral("AzureCliCredential") << QStringList() << QStringList()
                                  << QStringList{Cli};
        QTest::newRow("one: managed identity") << QStringLiteral("managedidentitycredential") << QStringList()
                                               << QStringList() << QStringList{Managed};
        QTest::newRow("one: browser") << QStringLiteral("InteractiveBrowserCredential") << QStringList()
                                      << QStringList() << QStringList{Browser};
        for (const QString &name : {Env, Workload, VsCode, PowerShell, Azd}) {
            QTest::newRow(qPrintable(QStringLiteral("one: ") + name))
                << name << QStringList() << QStringList() << QStringList{name};
        }
        QTest::newRow("exclude each")
            << QString() << QStringList{QStringLiteral("environment"), QStringLiteral("workload"),
                                        QStringLiteral("managed"),     QStringLiteral("shared"),
                                        QStringLiteral("vscode"),      QStringLiteral("powershell")}
            << QStringList() << QStringList{Cli, Azd};
        QTest::newRow("exclude cli and azd")
            << QString() << QStringList{QStringLiteral("cli"), QStringLiteral("azd")} << QStringList()
            << QStringList{Env, Workload, Managed, Shared, VsCode, PowerShell};
        QTest::newRow("include the browser")
            << QString() << QStringList() << QStringList{QStringLiteral("browser")}
            << all + QStringList{Browser};
        QTest::newRow("prod, keyword re-includes cli")
            << QStringLiteral("prod") << QStringList() << QStringList{QStringLiteral("cli")}
            << QStringList{Env, Workload, Managed, Cli};
        QTest::newRow("dev, keyword excludes cli")
            << QStringLiteral("dev") << QStringList{QStringLiteral("cli")} << QStringList()
            << QStringList{Shared, VsCode, PowerShell, Azd};
        QTest::newRow("one, keyword adds another")
            << QStringLiteral("azuredeveloperclicredential") << QStringList()
            << QStringList{QStringLiteral("environment")} << QStringList{Env, Azd};
    }
    void defaultCredentialMembers()
    {
        QFETCH(QString, tokenCredentials);
        QFETCH(QStringList, excludeTrue);
        QFETCH(QStringList, excludeFalse);
        QFETCH(QStringList, expected);

        DefaultAzureCredentialOptions options;
        options.environment =
            environmentOf(tokenCredentials.isEmpty()
                              ? QStringList()
                              : QStringList{QStringLiteral("AZURE_TOKEN_CREDENTIALS=") + tokenCredentials});
        auto set = [&options](const QString &key, bool value) {
            std::optional<bool> *flag =
                key == QStringLiteral("environment")  ? &options.excludeEnvironmentCredential
                : key == QStringLiteral("workload")   ? &options.excludeWorkloadIdentityCredential
                : key == QStringLiteral("managed")    ? &options.excludeManagedIdentityCredential
                : key == QStringLiteral("shared")     ? &options.excludeSharedTokenCacheCredential
                : key == QStringLiteral("vscode")     ? &options.excludeVisualStudioCodeCredential
                : key == QStringLiteral("cli")        ? &options.excludeCliCredential
                : key == QStringLiteral("powershell") ? &options.excludePowerShellCredential
                : key == QStringLiteral("azd")        ? &options.excludeDeveloperCliCredential
                                                      : &options.excludeInteractiveBrowserCredential;
            *flag = value;
        };
        for (const QString &key : excludeTrue)
            set(key, true);
        for (const QString &key : excludeFalse)
            set(key, false);
        DefaultAzureCredential credential(options);
        QVERIFY(!credential.configurationError());
        QCOMPARE(credential.credentialNames(), expected);
    }

    void invalidTokenCredentialsValue()
    {
        DefaultAzureCredentialOptions options;
        options.environment = environmentOf({QStringLiteral("AZURE_TOKEN_CREDENTIALS= Bogus ")});
        DefaultAzureCredential credential(options);
        const QString expected = QStringLiteral(
            "Invalid value for AZURE_TOKEN_CREDENTIALS: bogus. Valid values are: dev, prod, "
            "azureclicredential, "
            "azuredeveloperclicredential, azurepowershellcredential, environmentcredential, "
            "interactivebrowsercredential, managedidentitycredential, visualstudiocodecredential, "
            "workloadidentitycredential.");
        QVERIFY(credential.configurationError());
        QCOMPARE(credential.configurationError()->message, expected);
        QVERIFY(credential.credentialNames().isEmpty());
        const TokenResult result = wait(credential.getTokenInfo(request()));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        QCOMPARE(result.error().message, expected);

        // SharedTokenCacheCredential cannot be chosen alone.
        options.environment =
            environmentOf({QStringLiteral("AZURE_TOKEN_CREDENTIALS=SharedTokenCacheCredential")});
        QVERIFY(DefaultAzureCredential(options).configurationError());
    }

    void requiredTokenCredentialsVariable()
    {
        DefaultAzureCredentialOptions options;
        options.requireEnvironmentVariable = true;
        options.environment = environmentOf({});
        DefaultAzureCredential missing(options);
        QVERIFY(missing.configurationError());
        QCOMPARE(
            missing.configurationError()->message,
            QStringLiteral("AZURE_TOKEN_CREDENTIALS environment variable is required but is not set or is "
                           "empty. Set it to 'dev', 'prod', or a specific credential name."));
        options.environment = environmentOf({QStringLiteral("AZURE_TOKEN_CREDENTIALS=prod")});
        DefaultAzureCredential present(options);
        QVERIFY(!present.configurationError());
        QCOMPARE(present.credentialNames(), (QStringList{Env, Workload, Managed}));
    }

    void everythingExcluded()
    {
        DefaultAzureCredentialOptions options;
        options.environment = environmentOf({QStringLiteral("AZURE_TOKEN_CREDENTIALS=azureclicredential")});
        options.excludeCliCredential = true;
        DefaultAzureCredential credential(options);
        QVERIFY(credential.configurationError());
        QCOMPARE(credential.configurationError()->message,
                 QStringLiteral("at least one credential is required"));
    }

    // Without the workload identity variables the chain goes on past it, as past azure.identity's
    // placeholder, with its message in the aggregate; developer tools missing from PATH and
    // VS Code are unavailable too. Managed identity is excluded: IMDS is not reachable from here.
    void unconfiguredChainNamesEveryCredential()
    {
        DefaultAzureCredentialOptions options;
        options.environment = environmentOf({});
        options.excludeManagedIdentityCredential = true;
        options.excludeSharedTokenCacheCredential = true;
        DefaultAzureCredential credential(options);
        TokenRequestOptions plain;
        plain.scopes = QStringList{QStringLiteral("https://management.azure.com/.default")};
        const TokenResult result = wait(credential.getTokenInfo(plain));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::ClientAuthentication);
        const QString message = result.error().message;
        QVERIFY2(message.startsWith(QStringLiteral(
                     "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                     "Attempted credentials:\n\tEnvironmentCredential: EnvironmentCredential authentication "
                     "unavailable.")),
                 qPrintable(message));
        QVERIFY(message.endsWith(Troubleshoot));
        qsizetype at = 0;
        for (const QString &name : {Env, Workload, VsCode, Cli, PowerShell, Azd}) {
            const qsizetype next = message.indexOf(QStringLiteral("\n\t") + name + QStringLiteral(": "), at);
            QVERIFY2(next >= at,
                     qPrintable(name + QStringLiteral(" missing or out of order in: ") + message));
            at = next + 1;
        }
        QVERIFY(message.contains(QStringLiteral(
            "\tWorkloadIdentityCredential: WorkloadIdentityCredential authentication unavailable. "
            "The workload options are not fully configured.")));
        QVERIFY(!credential.successfulCredential());
    }
};

QTEST_GUILESS_MAIN(TestChains)
#include "tst_chains.moc"
