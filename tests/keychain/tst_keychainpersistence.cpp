// cache_persistence_options through the keychain module, against the real Secret Service (a private
// gnome-keyring, run-with-keyring.sh) and azid-sandbox: a credential given TokenCachePersistenceOptions
// keeps its tokens in the keychain, so that a new credential (as in another process) finds them without
// asking the authority again; a sign-in persisted in the shared cache reaches SharedTokenCacheCredential
// and DefaultAzureCredential with no wiring by the caller; without the keychain module's factory the
// options are a configuration error.
#include "azid/clientsecretcredential.h"
#include "azid/defaultazurecredential.h"
#include "azid/keychain/keychainpersistence.h"
#include "azid/sharedtokencachecredential.h"
#include "azid/usernamepasswordcredential.h"
#include "keychaintesthelpers.h"
#include "sandbox.h"

#include <QTest>

using namespace azid;
using namespace azid::keychaintest;

namespace {

const QString DaemonClient = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString ContosoTenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString ArmScope = QStringLiteral("https://management.azure.com/.default");

TokenRequestOptions armRequest()
{
    TokenRequestOptions request;
    request.scopes = {ArmScope};
    return request;
}

} // namespace

class TestKeychainPersistence : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // A generated user signs in below (--generate-users, as scripts/bench-accounts.sh uses it).
        QVERIFY2(m_sandbox.start({QStringLiteral("--generate-users"), QStringLiteral("3")}),
                 qPrintable(m_sandbox.errorString()));
        enableKeychainTokenCachePersistence();
    }

    void cleanup() { enableKeychainTokenCachePersistence(); }

    // An app token goes to the keychain: a second credential (a new cache in memory, as in another
    // process) gets it from there, without a token request.
    void appTokensSurviveTheCredential()
    {
        auto options = m_sandbox.credentialOptions<ClientSecretCredentialOptions>(nullptr);
        options.cache.reset();
        options.cachePersistenceOptions =
            TokenCachePersistenceOptions{QStringLiteral("azid-test.app"), false};
        m_sandbox.clearRequests();
        QString first;
        {
            ClientSecretCredential credential(ContosoTenant, DaemonClient,
                                              Secret::fromString(QStringLiteral("sandbox-client-secret-1")),
                                              options);
            const auto token = waitFor(credential.getTokenInfo(armRequest()));
            QVERIFY2(token && token->ok(), describe(token).constData());
            first = QString::fromUtf8(token->value().token.reveal());
        }
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
        ClientSecretCredential again(ContosoTenant, DaemonClient,
                                     Secret::fromString(QStringLiteral("sandbox-client-secret-1")), options);
        const auto token = waitFor(again.getTokenInfo(armRequest()));
        QVERIFY2(token && token->ok(), describe(token).constData());
        QCOMPARE(QString::fromUtf8(token->value().token.reveal()), first);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 1);
    }

    // A sign-in with cache_persistence_options left at its default lands in the cache Microsoft's tools
    // share: SharedTokenCacheCredential and DefaultAzureCredential's member find it with no cache given.
    void signInReachesTheSharedCacheCredentials()
    {
        auto options = m_sandbox.credentialOptions<UsernamePasswordCredentialOptions>(nullptr);
        options.cache.reset();
        options.cachePersistenceOptions = TokenCachePersistenceOptions{};
        options.username = QStringLiteral("user3@contoso.test");
        options.password = Secret::fromString(QStringLiteral("user3-password-1"));
        {
            UsernamePasswordCredential credential(options);
            const auto token = waitFor(credential.getTokenInfo(armRequest()));
            QVERIFY2(token && token->ok(), describe(token).constData());
        }
        m_sandbox.clearRequests();

        SharedTokenCacheCredentialOptions sharedOptions;
        sharedOptions.authority = m_sandbox.authority();
        sharedOptions.disableInstanceDiscovery = true;
        sharedOptions.http.caBundleFile = m_sandbox.caFile();
        SharedTokenCacheCredential shared(QStringLiteral("user3@contoso.test"), sharedOptions);
        const auto token = waitFor(shared.getTokenInfo(armRequest()));
        QVERIFY2(token && token->ok(), describe(token).constData());

        DefaultAzureCredentialOptions defaults;
        defaults.authority = m_sandbox.authority();
        defaults.disableInstanceDiscovery = true;
        defaults.http.caBundleFile = m_sandbox.caFile();
        defaults.excludeEnvironmentCredential = defaults.excludeWorkloadIdentityCredential =
            defaults.excludeManagedIdentityCredential = defaults.excludeVisualStudioCodeCredential =
                defaults.excludeCliCredential = defaults.excludePowerShellCredential =
                    defaults.excludeDeveloperCliCredential = true;
        defaults.sharedCacheUsername = QStringLiteral("user3@contoso.test");
        DefaultAzureCredential chain(defaults);
        const auto fromChain = waitFor(chain.getTokenInfo(armRequest()));
        QVERIFY2(fromChain && fromChain->ok(), describe(fromChain).constData());
        QCOMPARE(fromChain->value().token.reveal(), token->value().token.reveal());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0); // both from the persisted sign-in
    }

    // Without the keychain module's factory the options cannot be honoured: a configuration error
    // that says what to call, not a cache silently kept in memory.
    void withoutTheFactoryTheOptionsAreAConfigurationError()
    {
        setTokenCachePersistenceFactory({});
        auto options = m_sandbox.credentialOptions<ClientSecretCredentialOptions>(nullptr);
        options.cache.reset();
        options.cachePersistenceOptions =
            TokenCachePersistenceOptions{QStringLiteral("azid-test.none"), false};
        ClientSecretCredential credential(ContosoTenant, DaemonClient,
                                          Secret::fromString(QStringLiteral("sandbox-client-secret-1")),
                                          options);
        QVERIFY(credential.configurationError().has_value());
        const auto token = waitFor(credential.getTokenInfo(armRequest()));
        QVERIFY(token && !token->ok());
        QVERIFY2(token->error().message.contains(QStringLiteral("enableKeychainTokenCachePersistence")),
                 qPrintable(token->error().message));
    }

private:
    test::Sandbox m_sandbox;
};

QTEST_GUILESS_MAIN(TestKeychainPersistence)
#include "tst_keychainpersistence.moc"
