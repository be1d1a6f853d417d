// Conformance: Azid's browser and device-code flows against an independent OpenID provider, the npm
// package oidc-provider (provider.mjs), with the sign-in pages completed by real headless Chromium
// (browser.mjs, Debian's chromium driven by playwright-core). Nothing here is Azid's own server:
// discovery, PKCE, the code and device grants, ID tokens, refresh-token rotation and TLS are the
// provider's. Needs node, chromium and the npm packages of this folder; fails (never skips)
// without them.
#include "azid/browseropener.h"
#include "azid/devicecodecredential.h"
#include "azid/interactivebrowsercredential.h"

#include "fakeclock.h"
#include "oidcproviderprocess.h"
#include "testwait.h"

#include <QProcess>
#include <QtTest>

#include <memory>
#include <vector>

using namespace azid;
using azid::test::await;

namespace {
const QString ClientId = QStringLiteral("azid-conformance");
const QString Tenant = QStringLiteral("azid");
const QString ReadScope = QStringLiteral("api://azid-conformance/read");
const QString Alice = QStringLiteral("alice@azid-conformance.test");
const QString Bob = QStringLiteral("bob@azid-conformance.test");
constexpr int AccessTokenTtl = 600; // the provider's --access-token-ttl
constexpr int FlowLimitMs = 180000; // keeps a broken run from hanging; nothing asserts on time

TokenRequestOptions readRequest()
{
    TokenRequestOptions request;
    request.scopes = {ReadScope};
    return request;
}
} // namespace

class TestOidcProvider : public QObject
{
    Q_OBJECT

private:
    test::OidcProviderProcess m_provider;
    int m_browserOpens = 0;
    int m_devicePrompts = 0;
    test::FakeClock m_browserClock;
    test::FakeClock m_deviceClock;
    std::unique_ptr<InteractiveBrowserCredential> m_browserCredential;
    std::unique_ptr<DeviceCodeCredential> m_deviceCredential;
    std::vector<std::unique_ptr<QProcess>> m_deviceBrowsers;

    // Why a request failed, with the logs; empty on success (QVERIFY2 evaluates its message always).
    QString failure(const TokenResult &result) const
    {
        return result.ok() ? QString() : result.error().toString() + m_provider.logs();
    }

    template <typename Options> Options options(const test::FakeClock *clock)
    {
        Options o;
        o.authority = m_provider.authority();
        o.tenantId = Tenant;
        o.clientId = ClientId;
        o.disableInstanceDiscovery = true;
        o.http.caBundleFile = m_provider.caFile();
        o.clock = clock;
        return o;
    }

    // The refresh token Azid cached for an account, if any.
    std::optional<CachedRefreshToken> refreshTokenOf(const InteractiveCredential &credential) const
    {
        const auto record = credential.authenticationRecord();
        if (!record)
            return std::nullopt;
        // The record names the issuer's host:port; the cache's environment is the host alone (as MSAL).
        const QString environment = QUrl(QStringLiteral("https://") + record->authority).host();
        return credential.tokenCache().findRefreshToken(record->homeAccountId, environment, ClientId);
    }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void browserFlowGetsToken();
    void browserFlowRefreshesSilently();
    void deviceCodeFlowGetsToken();
    void deviceCodeFlowRefreshesSilently();
};

void TestOidcProvider::initTestCase()
{
    const QString error = m_provider.start(AccessTokenTtl);
    if (!error.isEmpty())
        QFAIL(qPrintable(error));
    // Azid starts $BROWSER with the URL as its last argument: browser.mjs.
    m_provider.exportBrowserEnvironment();
}

void TestOidcProvider::cleanupTestCase()
{
    m_browserCredential.reset();
    m_deviceCredential.reset();
    for (auto &process : m_deviceBrowsers) {
        if (process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(10000))
                process->kill();
            process->waitForFinished(5000);
        }
    }
    m_deviceBrowsers.clear();
    m_provider.stop();
}

// (a) The authorization code flow with PKCE: Azid opens $BROWSER (browser.mjs), which signs in on
// the provider's own pages in Chromium and lands on Azid's loopback listener.
void TestOidcProvider::browserFlowGetsToken()
{
    auto o = options<InteractiveBrowserCredentialOptions>(&m_browserClock);
    o.loginHint = Alice;
    o.timeout = std::chrono::seconds(150);
    o.openBrowser = [this, system = systemBrowserOpener()](const QUrl &url) {
        ++m_browserOpens;
        return system(url);
    };
    m_browserCredential = std::make_unique<InteractiveBrowserCredential>(o);

    const qint64 before = m_browserClock.now();
    const TokenResult result = await(m_browserCredential->getTokenInfo(readRequest()), FlowLimitMs);
    QVERIFY2(result.ok(), qPrintable(failure(result)));
    QCOMPARE(m_browserOpens, 1);
    const AccessTokenInfo &token = result.value();
    QVERIFY(!token.token.isEmpty());
    QCOMPARE(token.tokenType, QStringLiteral("Bearer"));
    // expires_in of the provider, counted from the (unmoving) clock of the request.
    QVERIFY2(token.expiresOn > before + AccessTokenTtl - 10 && token.expiresOn <= before + AccessTokenTtl,
             qPrintable(QStringLiteral("expires_on %1, requested at %2").arg(token.expiresOn).arg(before)));

    const auto record = m_browserCredential->authenticationRecord();
    QVERIFY(record.has_value());
    QCOMPARE(record->authority, m_provider.environment());
    QCOMPARE(record->clientId, ClientId);
    QCOMPARE(record->tenantId, Tenant);
    QCOMPARE(record->username, Alice);
    // Without Entra's client_info the account is known by the ID token's subject.
    QCOMPARE(record->homeAccountId, Alice);

    // Asked again before expiry: the cached token, no browser.
    const TokenResult cached = await(m_browserCredential->getTokenInfo(readRequest()));
    QVERIFY2(cached.ok(), qPrintable(failure(cached)));
    QVERIFY(cached.value().token == token.token);
    QCOMPARE(m_browserOpens, 1);
}

// (b) Once the access token has expired, the refresh token gets a new one without a browser, and
// the provider's rotated refresh token replaces the old one in the cache.
void TestOidcProvider::browserFlowRefreshesSilently()
{
    QVERIFY2(m_browserCredential && m_browserCredential->authenticationRecord(),
             "needs browserFlowGetsToken");
    const auto refreshToken = refreshTokenOf(*m_browserCredential);
    // oidc-provider follows OpenID Connect Core 1.0 section 11: offline_access in an authorization
    // request whose prompt lacks "consent" is ignored, so no refresh token is issued.
    QVERIFY2(refreshToken.has_value(),
             "The provider issued no refresh token to the browser flow: it ignores offline_access unless the "
             "authorization request's prompt contains \"consent\".");
    const TokenResult first = await(m_browserCredential->getTokenInfo(readRequest()));
    QVERIFY2(first.ok(), qPrintable(failure(first)));

    m_browserClock.advance(AccessTokenTtl + 60);
    const TokenResult refreshed = await(m_browserCredential->getTokenInfo(readRequest()), FlowLimitMs);
    QVERIFY2(refreshed.ok(), qPrintable(failure(refreshed)));
    QCOMPARE(m_browserOpens, 1); // silent: no browser
    QVERIFY(refreshed.value().token != first.value().token);
    QVERIFY(refreshed.value().expiresOn > m_browserClock.now());

    const auto rotated = refreshTokenOf(*m_browserCredential);
    QVERIFY(rotated.has_value());
    QVERIFY2(rotated->secret != refreshToken->secret,
             "the provider rotates refresh tokens; Azid kept the old one");
}

// (c) The device authorization grant: the prompt callback starts browser.mjs --device, which enters
// the code on the provider's verification page and signs in as another account.
void TestOidcProvider::deviceCodeFlowGetsToken()
{
    auto o = options<DeviceCodeCredentialOptions>(&m_deviceClock);
    o.timeout = std::chrono::seconds(150);
    o.promptCallback = [this](const QString &verificationUri, const QString &userCode, const QDateTime &) {
        ++m_devicePrompts;
        auto process = std::make_unique<QProcess>();
        process->setStandardOutputFile(QProcess::nullDevice());
        process->setStandardErrorFile(m_provider.filePath(QStringLiteral("device-browser.stderr")),
                                      QIODevice::Append);
        m_provider.startDeviceCodeBrowser(*process, Bob, userCode, verificationUri);
        m_deviceBrowsers.push_back(std::move(process));
    };
    m_deviceCredential = std::make_unique<DeviceCodeCredential>(o);

    const TokenResult result = await(m_deviceCredential->getTokenInfo(readRequest()), FlowLimitMs);
    QVERIFY2(result.ok(), qPrintable(failure(result)));
    QCOMPARE(m_devicePrompts, 1);
    QVERIFY(!result.value().token.isEmpty());
    QCOMPARE(result.value().tokenType, QStringLiteral("Bearer"));
    for (auto &process : m_deviceBrowsers) {
        if (process->state() != QProcess::NotRunning)
            QVERIFY(process->waitForFinished(30000));
        QCOMPARE(process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(process->exitCode(), 0);
    }

    const auto record = m_deviceCredential->authenticationRecord();
    QVERIFY(record.has_value());
    QCOMPARE(record->authority, m_provider.environment());
    QCOMPARE(record->clientId, ClientId);
    QCOMPARE(record->tenantId, Tenant);
    QCOMPARE(record->username, Bob);
    QCOMPARE(record->homeAccountId, Bob);
}

// (d) The device flow has no prompt parameter, so the provider honours offline_access there: the
// refresh path works against it.
void TestOidcProvider::deviceCodeFlowRefreshesSilently()
{
    QVERIFY2(m_deviceCredential && m_deviceCredential->authenticationRecord(),
             "needs deviceCodeFlowGetsToken");
    const auto refreshToken = refreshTokenOf(*m_deviceCredential);
    QVERIFY2(refreshToken.has_value(), "the provider issued no refresh token to the device flow");
    const TokenResult first = await(m_deviceCredential->getTokenInfo(readRequest()));
    QVERIFY2(first.ok(), qPrintable(failure(first)));

    m_deviceClock.advance(AccessTokenTtl + 60);
    const TokenResult refreshed = await(m_deviceCredential->getTokenInfo(readRequest()), FlowLimitMs);
    QVERIFY2(refreshed.ok(), qPrintable(failure(refreshed)));
    QCOMPARE(m_devicePrompts, 1); // silent: no new code
    QVERIFY(refreshed.value().token != first.value().token);

    const auto rotated = refreshTokenOf(*m_deviceCredential);
    QVERIFY(rotated.has_value());
    QVERIFY2(rotated->secret != refreshToken->secret,
             "the provider rotates refresh tokens; Azid kept the old one");
}

QTEST_GUILESS_MAIN(TestOidcProvider)
#include "tst_oidcprovider.moc"
