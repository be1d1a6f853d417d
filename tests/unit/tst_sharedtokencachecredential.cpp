// SharedTokenCacheCredential's choice of account and its errors, as azure.identity's
// SharedTokenCacheCredential chooses and raises them, over a cache filled here: nothing reaches the
// network (the refresh path runs against azid-sandbox and Python in tests/interop).
#include "azid/sharedtokencachecredential.h"

#include <QFuture>
#include <QTest>

using namespace azid;

namespace {

const QString DeveloperClient = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
const QString ThirdPartyClient = QStringLiteral("11111111-2222-3333-4444-555555555555");
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Fabrikam = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
const QString Scope = QStringLiteral("https://management.azure.com/.default");

struct Sign
{
    QString user; // alice -> alice@example.com, home account "alice.<tenant>"
    QString tenant = Contoso;
    QString environment = QStringLiteral("login.microsoftonline.com");
    QString client = DeveloperClient;
    QString family = QStringLiteral("1");
    QString realm = QStringLiteral("organizations"); // the tenant the token was requested in
};

void add(TokenCache &cache, const Sign &s)
{
    TokenResponseEntry entry;
    entry.clientId = s.client;
    entry.environment = s.environment;
    entry.realm = s.realm;
    entry.homeAccountId = s.user + QLatin1Char('.') + s.tenant;
    entry.scopes = {Scope};
    entry.accessToken = Secret::fromString(QStringLiteral("at-") + s.user);
    entry.now = QDateTime::currentSecsSinceEpoch();
    entry.expiresOn = entry.now + 3600;
    entry.refreshToken = Secret::fromString(QStringLiteral("rt-") + s.user);
    entry.familyId = s.family;
    CachedAccount account;
    account.homeAccountId = entry.homeAccountId;
    account.environment = s.environment;
    account.realm = entry.realm;
    account.username = s.user + QStringLiteral("@example.com");
    account.accountSource = QStringLiteral("authorization_code");
    entry.account = account;
    cache.add(entry);
}

TokenResult getToken(SharedTokenCacheCredential &credential, const QStringList &scopes = {Scope})
{
    QFuture<TokenResult> future = credential.getTokenInfo({scopes, {}, {}, false});
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, 30000))
        return AuthError::authentication(QStringLiteral("no answer"));
    return future.result();
}

} // namespace

Q_DECLARE_METATYPE(QList<Sign>)

class TestSharedTokenCacheCredential : public QObject
{
    Q_OBJECT

private slots:
    void accountChoice_data()
    {
        QTest::addColumn<QList<Sign>>("signs");
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("authority");
        QTest::addColumn<QString>(
            "expected"); // the token, or the start of the error after "...unavailable. "

        const Sign alice{QStringLiteral("alice")};
        const Sign bob{QStringLiteral("bob")};
        const Sign aliceFabrikam{QStringLiteral("alice"), Fabrikam};
        QTest::newRow("empty cache") << QList<Sign>{} << QString() << QString() << QString()
                                     << QStringLiteral("No accounts were found in the cache.");
        QTest::newRow("one account") << QList<Sign>{alice} << QString() << QString() << QString()
                                     << QStringLiteral("at-alice");
        QTest::newRow("two accounts")
            << QList<Sign>{alice, bob} << QString() << QString() << QString()
            << QStringLiteral("Multiple accounts were found in the cache. Use username and "
                              "tenant id to disambiguate.");
        QTest::newRow("by username") << QList<Sign>{alice, bob} << QStringLiteral("bob@example.com")
                                     << QString() << QString() << QStringLiteral("at-bob");
        QTest::newRow("unknown username")
            << QList<Sign>{alice, bob} << QStringLiteral("carol@example.com") << QString() << QString()
            << QStringLiteral(
                   "No account matching the specified username: carol@example.com was found in the cache.");
        QTest::newRow("username is exact")
            << QList<Sign>{alice} << QStringLiteral("ALICE@example.com") << QString() << QString()
            << QStringLiteral("No account matching the specified username");
        QTest::newRow("by tenant") << QList<Sign>{alice, Sign{QStringLiteral("bob"), Fabrikam}} << QString()
                                   << Fabrikam << QString() << QStringLiteral("at-bob");
        QTest::newRow("several in the tenant")
            << QList<Sign>{alice, bob} << QString() << Contoso << QString()
            << QStringLiteral("Multiple accounts matching the specified tenant: %1 were found in the cache.")
                   .arg(Contoso);
        QTest::newRow("username and tenant")
            << QList<Sign>{alice, aliceFabrikam} << QStringLiteral("alice@example.com") << Fabrikam
            << QString() << QStringLiteral("at-alice");
        QTest::newRow("no such user in the tenant")
            << QList<Sign>{alice} << QStringLiteral("alice@example.com") << Fabrikam << QString()
            << QStringLiteral(
                   "No account matching the specified username: alice@example.com tenant: %1 was found")
                   .arg(Fabrikam);
        QTest::newRow("no family refresh token")
            << QList<Sign>{Sign{QStringLiteral("alice"), Contoso, QStringLiteral("login.microsoftonline.com"),
                                ThirdPartyClient, QString()}}
            << QString() << QString() << QString() << QStringLiteral("No accounts were found in the cache.");
        QTest::newRow("an alias of the cloud")
            << QList<Sign>{Sign{QStringLiteral("alice"), Contoso, QStringLiteral("login.windows.net")}}
            << QString() << QString() << QString() << QStringLiteral("at-alice");
        QTest::newRow("another cloud")
            << QList<Sign>{alice} << QString() << QString() << QStringLiteral("login.microsoftonline.us")
            << QStringLiteral("No accounts were found in the cache.");
        QTest::newRow("an authority on a port: the host is the environment")
            << QList<Sign>{Sign{QStringLiteral("alice"), Contoso, QStringLiteral("127.0.0.1")}} << QString()
            << QString() << QStringLiteral("https://127.0.0.1:8443") << QStringLiteral("at-alice");
    }

    void accountChoice()
    {
        QFETCH(QList<Sign>, signs);
        QFETCH(QString, username);
        QFETCH(QString, tenant);
        QFETCH(QString, authority);
        QFETCH(QString, expected);
        auto cache = std::make_shared<TokenCache>();
        for (const Sign &sign : signs)
            add(*cache, sign);
        SharedTokenCacheCredentialOptions options;
        options.cache = cache;
        options.tenantId = tenant;
        options.authority = authority;
        SharedTokenCacheCredential credential(username, options);
        QCOMPARE(credential.name(), QStringLiteral("SharedTokenCacheCredential"));
        const TokenResult result = getToken(credential);
        if (expected.startsWith(QStringLiteral("at-"))) {
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
            QCOMPARE(result.value().token.revealString(), expected);
        } else {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
            const QString prefix = QStringLiteral("SharedTokenCacheCredential authentication unavailable. ");
            QVERIFY2(result.error().message.startsWith(prefix + expected),
                     qPrintable(result.error().message));
        }
    }

    void noCacheIsUnavailable()
    {
        SharedTokenCacheCredential credential;
        const TokenResult result = getToken(credential);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(result.error().message, QStringLiteral("Shared token cache unavailable"));
    }

    void cacheThatCannotBeLoadedIsUnavailable()
    {
        SharedTokenCacheCredentialOptions options;
        options.cache = std::make_shared<TokenCache>();
        options.reloadCache = [] {
            return QtFuture::makeReadyFuture(
                VoidResult(AuthError::unavailable(QStringLiteral("keychain locked"))));
        };
        SharedTokenCacheCredential credential({}, options);
        const TokenResult result = getToken(credential);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(result.error().message, QStringLiteral("Shared token cache unavailable: keychain locked"));
    }

    void reloadsBeforeEveryRequest()
    {
        auto cache = std::make_shared<TokenCache>();
        int reloads = 0;
        SharedTokenCacheCredentialOptions options;
        options.cache = cache;
        options.reloadCache = [&reloads, cache] {
            if (++reloads == 2)
                add(*cache, Sign{QStringLiteral("alice")}); // another process signed in meanwhile
            return QtFuture::makeReadyFuture(VoidResult(Done{}));
        };
        SharedTokenCacheCredential credential({}, options);
        QVERIFY(!getToken(credential).ok());
        const TokenResult second = getToken(credential);
        QVERIFY(second.ok());
        QCOMPARE(reloads, 2);
    }

    void withAnAuthenticationRecord()
    {
        // With a record, tokens are looked up in the record's tenant (MSAL's acquire_token_silent).
        auto cache = std::make_shared<TokenCache>();
        Sign alice{QStringLiteral("alice")};
        Sign bob{QStringLiteral("bob")};
        alice.realm = bob.realm = Contoso;
        add(*cache, alice);
        add(*cache, bob);
        SharedTokenCacheCredentialOptions options;
        options.cache = cache;
        options.authenticationRecord = AuthenticationRecord{QStringLiteral("login.microsoftonline.com"),
                                                            DeveloperClient, QStringLiteral("bob.") + Contoso,
                                                            Contoso, QStringLiteral("bob@example.com")};
        SharedTokenCacheCredential credential({}, options);
        const TokenResult result = getToken(credential);
        QVERIFY(result.ok()); // two accounts, but the record says which
        QCOMPARE(result.value().token.revealString(), QStringLiteral("at-bob"));

        options.authenticationRecord->homeAccountId = QStringLiteral("carol.") + Contoso;
        SharedTokenCacheCredential missing({}, options);
        const TokenResult none = getToken(missing);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(none.error().message,
                 QStringLiteral("The cache contains no account matching the given AuthenticationRecord."));
    }

    void noRefreshTokenForTheClient()
    {
        // A record of an app outside the family: the account is there, but no token it may redeem.
        auto cache = std::make_shared<TokenCache>();
        add(*cache, Sign{QStringLiteral("alice"), Contoso, QStringLiteral("login.microsoftonline.com"),
                         ThirdPartyClient, QString()});
        SharedTokenCacheCredentialOptions options;
        options.cache = cache;
        options.authenticationRecord = AuthenticationRecord{
            QStringLiteral("login.microsoftonline.com"),
            QStringLiteral("99999999-2222-3333-4444-555555555555"), QStringLiteral("alice.") + Contoso,
            Contoso, QStringLiteral("alice@example.com")};
        SharedTokenCacheCredential credential({}, options);
        const TokenResult result =
            getToken(credential, {QStringLiteral("https://graph.microsoft.com/.default")});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(
            result.error().message,
            QStringLiteral("Token acquisition failed for user 'alice@example.com'. To fix, re-authenticate "
                           "through developer tooling supporting Azure single sign on"));
    }

    void needsAScope()
    {
        SharedTokenCacheCredentialOptions options;
        options.cache = std::make_shared<TokenCache>();
        SharedTokenCacheCredential credential({}, options);
        const TokenResult result = getToken(credential, {});
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.contains(QStringLiteral("at least one scope")));
    }
};

QTEST_GUILESS_MAIN(TestSharedTokenCacheCredential)
#include "tst_sharedtokencachecredential.moc"
