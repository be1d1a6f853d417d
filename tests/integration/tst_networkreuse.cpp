// What a new credential in a warm process pays: the authority's metadata (instance discovery and
// OpenID configuration) is found once per process and authority, and every credential of a thread
// talks to a host over the connections the others opened. azid-sandbox counts the discovery
// requests and the TLS handshakes it served.
#include "azid/clientsecretcredential.h"

#include "authority.h"
#include "fakeclock.h"
#include "sandbox.h"
#include "testwait.h"

#include <QtTest>

using namespace azid;

namespace {
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const Secret DaemonSecret = Secret::fromString(QStringLiteral("sandbox-client-secret-1"));
const QString Arm = QStringLiteral("https://management.azure.com/.default");
} // namespace

class TestNetworkReuse : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    test::FakeClock m_clock;

    // Validated through the sandbox's own instance discovery, so that both discovery requests count.
    ClientSecretCredentialOptions options()
    {
        auto o = m_sandbox.credentialOptions<ClientSecretCredentialOptions>(&m_clock);
        o.disableInstanceDiscovery = false;
        QUrl discovery = m_sandbox.url();
        discovery.setPath(QStringLiteral("/common/discovery/instance"));
        o.instanceDiscoveryEndpoint = discovery;
        return o;
    }

    // The first token of a new credential (made with a cache of its own, used once and deleted).
    TokenResult firstToken(ClientSecretCredentialOptions o)
    {
        o.cache = std::make_shared<TokenCache>();
        ClientSecretCredential credential(Contoso, Daemon, DaemonSecret, o);
        return test::await(credential.getTokenInfo(TokenRequestOptions{{Arm}, {}, {}, false}));
    }

    int discoveryRequests()
    {
        return m_sandbox.countRequests(QStringLiteral("instance-discovery")) +
               m_sandbox.countRequests(QStringLiteral("openid-configuration"));
    }

private slots:
    void initTestCase() { QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString())); }

    void init()
    {
        detail::AuthorityResolver::forgetKnownAuthorities();
        m_sandbox.clearRequests();
    }

    void newCredentialsShareMetadataAndConnections()
    {
        const ClientSecretCredentialOptions o = options();
        for (int i = 0; i < 200; ++i) {
            const TokenResult result = firstToken(o);
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        }
        // One connection does it (the first of this test's credentials opened it, or one before did);
        // the count allows for one that the sandbox or Qt closed on the way.
        const int handshakes = m_sandbox.countTlsHandshakes();
        QVERIFY2(handshakes >= 0 && handshakes <= 2, qPrintable(QString::number(handshakes)));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("client_credentials")), 200);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("instance-discovery")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 1);
    }

    void otherAuthoritySettingsAreFoundAgain()
    {
        QVERIFY(firstToken(options()).ok());
        QCOMPARE(discoveryRequests(), 2);
        auto direct = options();
        direct.disableInstanceDiscovery = true; // not validated the same way: its own metadata
        QVERIFY(firstToken(direct).ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("instance-discovery")), 1);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 2);
        QVERIFY(firstToken(direct).ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 2);
    }

    void failedDiscoveryIsNotKept()
    {
        m_sandbox.fault({{QStringLiteral("endpoint"), QStringLiteral("openid-configuration")},
                         {QStringLiteral("status"), 400}});
        const TokenResult failed = firstToken(options());
        QVERIFY(!failed.ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0);
        const TokenResult next = firstToken(options());
        QVERIFY2(next.ok(), qPrintable(next.ok() ? QString() : next.error().toString()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 2);
    }

    void metadataExpires()
    {
        QVERIFY(firstToken(options()).ok());
        m_clock.advance(detail::AuthorityResolver::metadataLifetime - 1);
        QVERIFY(firstToken(options()).ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 1);
        m_clock.advance(1);
        QVERIFY(firstToken(options()).ok());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("openid-configuration")), 2);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("instance-discovery")), 2);
    }
};

QTEST_GUILESS_MAIN(TestNetworkReuse)
#include "tst_networkreuse.moc"
