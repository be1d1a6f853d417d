// TokenCache: MSAL's unified schema and keys, look-ups, family refresh tokens, account removal as MSAL
// does it, and persistence that keeps what Azid does not understand. Interoperability is checked
// against Debian's MSAL Python (python3-msal) itself.

#include "azid/tokencache.h"
#include "oauth.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using namespace azid;

Q_DECLARE_METATYPE(azid::CachedAccessToken)

namespace {

const QString kEnv = QStringLiteral("login.microsoftonline.com");
const QString kClient = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
const QString kOtherClient = QStringLiteral("1950a258-227b-4e31-a9cf-717495945fc2");
const QString kThirdClient = QStringLiteral("872cd9fa-d31f-45e0-9eab-6e460a02d1f1");
const QString kRealm = QStringLiteral("organizations");
const QString kTenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString kHome = QStringLiteral("uid.utid");
const QString kOtherHome = QStringLiteral("uid2.utid");
const QString kArm = QStringLiteral("https://management.azure.com/.default");
const QString kGraph = QStringLiteral("https://graph.microsoft.com/.default");
constexpr qint64 kNow = 1700000000;

struct EntrySpec
{
    QString home = kHome;
    QString client = kClient;
    QString realm = kRealm;
    QString environment = kEnv;
    QStringList scopes{kArm};
    QString family;
    qint64 now = kNow;
    qint64 lifetime = 3600;
    bool refreshToken = true;
    bool idToken = true;
    bool account = true;
    QString tag; // makes the secrets distinct
};

QString secretFor(const char *kind, const EntrySpec &s)
{
    return QStringLiteral("%1|%2|%3|%4|%5|%6")
        .arg(QLatin1String(kind), s.home, s.client, s.realm, s.scopes.join(QLatin1Char(',')), s.tag);
}

TokenResponseEntry entry(const EntrySpec &s)
{
    TokenResponseEntry e;
    e.clientId = s.client;
    e.environment = s.environment;
    e.realm = s.realm;
    e.homeAccountId = s.home;
    e.scopes = s.scopes;
    e.accessToken = Secret::fromString(secretFor("at", s));
    e.now = s.now;
    e.expiresOn = s.now + s.lifetime;
    e.extendedExpiresOn = s.now + 2 * s.lifetime;
    if (s.refreshToken)
        e.refreshToken = Secret::fromString(secretFor("rt", s));
    e.familyId = s.family;
    if (s.idToken && !s.home.isEmpty())
        e.idToken = Secret::fromString(QStringLiteral("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") + s.home);
    if (s.account && !s.home.isEmpty()) {
        CachedAccount a;
        a.homeAccountId = s.home;
        a.environment = s.environment;
        a.realm = s.realm;
        a.localAccountId = QStringLiteral("oid-") + s.home;
        a.username = s.home.section(QLatin1Char('.'), 0, 0) + QStringLiteral("@contoso.example");
        a.accountSource = QStringLiteral("authorization_code");
        e.account = a;
    }
    return e;
}

QJsonObject contents(const TokenCache &cache)
{
    const QJsonDocument doc = QJsonDocument::fromJson(cache.serialize());
    return doc.object();
}

QStringList keys(const TokenCache &cache, const QString &section)
{
    QStringList list = contents(cache).value(section).toObject().keys();
    std::sort(list.begin(), list.end());
    return list;
}

QString atKey(const QString &home, const QString &client, const QString &realm, const QString &target,
              const QString &environment = kEnv)
{
    return QStringList{home, environment, QStringLiteral("accesstoken"), client, realm, target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString rtKey(const QString &home, const QString &client, const QString &target,
              const QString &environment = kEnv)
{
    return QStringList{home, environment, QStringLiteral("refreshtoken"), client, QString(), target}
        .join(QLatin1Char('-'))
        .toLower();
}

QString pythonInterpreter()
{
    const QString configured = qEnvironmentVariable("AZID_TEST_PYTHON");
    return configured.isEmpty() ? QStringLiteral("/usr/bin/python3") : configured;
}

// Runs `script` with `input` on stdin and returns its stdout, or fails the test. Exit code 3 means the
// module could not be imported.
bool runPython(const QString &script, const QByteArray &input, QByteArray *output, QString *failure)
{
    QProcess python;
    python.start(pythonInterpreter(), {QStringLiteral("-c"), script});
    if (!python.waitForStarted(30000)) {
        *failure =
            QStringLiteral("%1 could not be started (%2). Install python3 and python3-msal (comes with "
                           "python3-azure), or point AZID_TEST_PYTHON at a Python with msal.")
                .arg(pythonInterpreter(), python.errorString());
        return false;
    }
    python.write(input);
    python.closeWriteChannel();
    if (!python.waitForFinished(120000)) {
        python.kill();
        python.waitForFinished();
        *failure = QStringLiteral("%1 did not finish.").arg(pythonInterpreter());
        return false;
    }
    const QString errors = QString::fromUtf8(python.readAllStandardError());
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        *failure = python.exitCode() == 3
                       ? QStringLiteral("msal is not importable by %1: install python3-msal "
                                        "(apt-get install python3-azure python3-msal). %2")
                             .arg(pythonInterpreter(), errors)
                       : QStringLiteral("%1 failed (exit code %2): %3")
                             .arg(pythonInterpreter())
                             .arg(python.exitCode())
                             .arg(errors);
        return false;
    }
    *output = python.readAllStandardOutput();
    return true;
}

} // namespace

class TestTokenCache : public QObject
{
    Q_OBJECT

private slots:
    void accessTokenKeys_data();
    void accessTokenKeys();
    void refreshTokenKeys_data();
    void refreshTokenKeys();
    void accountKeys();
    void normalizedTarget_data();
    void normalizedTarget();
    void addWritesMsalEntries();
    void interoperatesWithMsalPython();

    void findAccessTokenScopeSubset_data();
    void findAccessTokenScopeSubset();
    void minimumLifetime_data();
    void minimumLifetime();
    void isolation_data();
    void isolation();
    void disjointScopesCoexist();
    void newerTokenForOverlappingScopesReplacesOlder();
    void appTokens();

    void ownRefreshToken();
    void familyRefreshTokenForUnknownClient();
    void ownRefreshTokenPreferredOverFamily();
    void nonFamilyRefreshTokenIsNotShared();
    void knownNonFamilyClientDoesNotUseFamilyTokens();
    void appMetadataWithoutFamilyValueMeansNoFamily_data();
    void appMetadataWithoutFamilyValueMeansNoFamily();
    void newestFamilyTokenWins();
    void refreshTokensOfOtherAccountsAreNotReturned();
    void newRefreshTokenSupersedesOlderOfSameClient();
    void updateRefreshToken();

    void removeAccountOfFamilyClient();
    void removeAccountOfNonFamilyClient();
    void removeAccountLeavesOtherEnvironments();

    void roundTripKeepsUnknownSectionsAndFields();
    void roundTripOfAddedEntries();
    void keysAndValuesThatNeedEscaping();
    void compactAndIndentedTextLoadAlike_data();
    void compactAndIndentedTextLoadAlike();
    void timestampsAcceptedAsNumbers();
    void timestampsOutOfRangeAreClamped_data();
    void timestampsOutOfRangeAreClamped();
    void deserializeErrorsLeaveCacheUnchanged_data();
    void deserializeErrorsLeaveCacheUnchanged();
    void nonObjectEntriesAreSkipped();
    void generationChangesOnEveryMutation();
    void accountsListing();
    void clear();

    void accountStates();
    void copyAccountFromCopiesEveryEntryOfTheAccount();
    void copyAccountFromReplacesEntriesOfTheSameKeys();
    void copyAccountFromWithoutTheAccountChangesNothing();
    void removeAccountEntries();
    void merge_data();
    void merge();
    void mergeOfTokensFromAnotherProcess();
    void mergeOfWhatIsAlreadyStoredChangesNothing();
    void mergeErrorsLeaveCacheUnchanged_data();
    void mergeErrorsLeaveCacheUnchanged();
    void addMissingEntries();
    void validate_data();
    void validate();

    void tenThousandAccounts();
    void concurrentUse();
};

void TestTokenCache::accessTokenKeys_data()
{
    QTest::addColumn<CachedAccessToken>("token");
    QTest::addColumn<QString>("key");

    CachedAccessToken t;
    t.homeAccountId = kHome;
    t.environment = kEnv;
    t.clientId = kClient;
    t.realm = kRealm;
    t.target = kArm;
    QTest::newRow("arm") << t
                         << QStringLiteral(
                                "uid.utid-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-"
                                "02f9e1bf7b46-organizations-https://management.azure.com/.default");

    CachedAccessToken upper = t;
    upper.homeAccountId = QStringLiteral("UID.UTID");
    upper.environment = QStringLiteral("Login.MicrosoftOnline.COM");
    upper.clientId = kClient.toUpper();
    upper.realm = QStringLiteral("Contoso.onmicrosoft.com");
    upper.target = QStringLiteral("https://Management.Azure.com/.default User.Read");
    QTest::newRow("lower-cased") << upper
                                 << QStringLiteral(
                                        "uid.utid-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-"
                                        "bbee-02f9e1bf7b46-contoso.onmicrosoft.com-https://"
                                        "management.azure.com/.default user.read");

    CachedAccessToken app = t;
    app.homeAccountId.clear();
    app.realm = kTenant;
    app.target = kGraph;
    QTest::newRow("app token") << app
                               << QStringLiteral(
                                      "-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-"
                                      "02f9e1bf7b46-72f988bf-86f1-41af-91ab-2d7cd011db47-https://"
                                      "graph.microsoft.com/.default");
}

void TestTokenCache::accessTokenKeys()
{
    QFETCH(CachedAccessToken, token);
    QFETCH(QString, key);
    QCOMPARE(TokenCache::accessTokenKey(token), key);
}

void TestTokenCache::refreshTokenKeys_data()
{
    QTest::addColumn<QString>("home");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("key");
    QTest::newRow("realm part empty")
        << kHome << kClient << kArm
        << QStringLiteral(
               "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--"
               "https://management.azure.com/.default");
    QTest::newRow("no target") << kHome << kClient << QString()
                               << QStringLiteral(
                                      "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-"
                                      "461a-bbee-02f9e1bf7b46--");
    QTest::newRow("upper case") << QStringLiteral("UID.UTID") << kClient << QStringLiteral("User.Read")
                                << QStringLiteral(
                                       "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-"
                                       "461a-bbee-02f9e1bf7b46--user.read");
}

void TestTokenCache::refreshTokenKeys()
{
    QFETCH(QString, home);
    QFETCH(QString, client);
    QFETCH(QString, target);
    QFETCH(QString, key);
    CachedRefreshToken rt;
    rt.homeAccountId = home;
    rt.environment = kEnv;
    rt.clientId = client;
    rt.target = target;
    rt.familyId = QStringLiteral("1"); // not part of the key
    QCOMPARE(TokenCache::refreshTokenKey(rt), key);
}

void TestTokenCache::accountKeys()
{
    CachedAccount a;
    a.homeAccountId = QStringLiteral("UID.utid");
    a.environment = kEnv;
    a.realm = kTenant;
    a.username = QStringLiteral("not@part.of.key");
    QCOMPARE(TokenCache::accountKey(a),
             QStringLiteral("uid.utid-login.microsoftonline.com-72f988bf-86f1-41af-91ab-2d7cd011db47"));
}

void TestTokenCache::normalizedTarget_data()
{
    QTest::addColumn<QStringList>("scopes");
    QTest::addColumn<QString>("target");
    QTest::newRow("one") << QStringList{kArm} << kArm;
    QTest::newRow("sorted") << QStringList{QStringLiteral("profile"), QStringLiteral("openid"), kArm}
                            << QStringLiteral("https://management.azure.com/.default openid profile");
    QTest::newRow("deduplicated") << QStringList{QStringLiteral("b"), QStringLiteral("a"),
                                                 QStringLiteral("b")}
                                  << QStringLiteral("a b");
    QTest::newRow("empty") << QStringList{} << QString();
}

void TestTokenCache::normalizedTarget()
{
    QFETCH(QStringList, scopes);
    QFETCH(QString, target);
    QCOMPARE(TokenCache::normalizedTarget(scopes), target);
}

void TestTokenCache::addWritesMsalEntries()
{
    TokenCache cache;
    EntrySpec spec;
    spec.family = QStringLiteral("1");
    TokenResponseEntry e = entry(spec);
    e.refreshOn = kNow + 1800;
    cache.add(e);
    const QJsonObject root = contents(cache);

    const QString at = atKey(kHome, kClient, kRealm, kArm);
    QCOMPARE(keys(cache, QStringLiteral("AccessToken")), QStringList{at});
    const QJsonObject atJson = root.value(QStringLiteral("AccessToken")).toObject().value(at).toObject();
    QCOMPARE(atJson, (QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("AccessToken")},
                                  {QStringLiteral("secret"), e.accessToken.revealString()},
                                  {QStringLiteral("home_account_id"), kHome},
                                  {QStringLiteral("environment"), kEnv},
                                  {QStringLiteral("client_id"), kClient},
                                  {QStringLiteral("realm"), kRealm},
                                  {QStringLiteral("target"), kArm},
                                  {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                  {QStringLiteral("cached_at"), QStringLiteral("1700000000")},
                                  {QStringLiteral("expires_on"), QStringLiteral("1700003600")},
                                  {QStringLiteral("extended_expires_on"), QStringLiteral("1700007200")},
                                  {QStringLiteral("refresh_on"), QStringLiteral("1700001800")}}));

    const QString rt = rtKey(kHome, kClient, kArm);
    QCOMPARE(rt, QStringLiteral("uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-"
                                "02f9e1bf7b46--https://management.azure.com/.default"));
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")), QStringList{rt});
    const QJsonObject rtJson = root.value(QStringLiteral("RefreshToken")).toObject().value(rt).toObject();
    QCOMPARE(rtJson, (QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("RefreshToken")},
                                  {QStringLiteral("secret"), e.refreshToken.revealString()},
                                  {QStringLiteral("home_account_id"), kHome},
                                  {QStringLiteral("environment"), kEnv},
                                  {QStringLiteral("client_id"), kClient},
                                  {QStringLiteral("target"), kArm},
                                  {QStringLiteral("last_modification_time"), QStringLiteral("1700000000")},
                                  {QStringLiteral("family_id"), QStringLiteral("1")}}));

    const QString idt = QStringLiteral("uid.utid-login.microsoftonline.com-idtoken-04b07795-8ddb-461a-bbee-"
                                       "02f9e1bf7b46-organizations-");
    QCOMPARE(keys(cache, QStringLiteral("IdToken")), QStringList{idt});
    const QJsonObject idJson = root.value(QStringLiteral("IdToken")).toObject().value(idt).toObject();
    QCOMPARE(idJson.value(QStringLiteral("credential_type")).toString(), QStringLiteral("IdToken"));
    QCOMPARE(idJson.value(QStringLiteral("secret")).toString(), e.idToken.revealString());
    QCOMPARE(idJson.value(QStringLiteral("realm")).toString(), kRealm);

    const QString account = QStringLiteral("uid.utid-login.microsoftonline.com-organizations");
    QCOMPARE(keys(cache, QStringLiteral("Account")), QStringList{account});
    const QJsonObject accountJson =
        root.value(QStringLiteral("Account")).toObject().value(account).toObject();
    QCOMPARE(accountJson.value(QStringLiteral("home_account_id")).toString(), kHome);
    QCOMPARE(accountJson.value(QStringLiteral("username")).toString(), QStringLiteral("uid@contoso.example"));
    QCOMPARE(accountJson.value(QStringLiteral("local_account_id")).toString(),
             QStringLiteral("oid-uid.utid"));
    QCOMPARE(accountJson.value(QStringLiteral("authority_type")).toString(), QStringLiteral("MSSTS"));
    QCOMPARE(accountJson.value(QStringLiteral("account_source")).toString(),
             QStringLiteral("authorization_code"));

    const QString app =
        QStringLiteral("appmetadata-login.microsoftonline.com-04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    QCOMPARE(keys(cache, QStringLiteral("AppMetadata")), QStringList{app});
    QCOMPARE(root.value(QStringLiteral("AppMetadata")).toObject().value(app).toObject(),
             (QJsonObject{{QStringLiteral("client_id"), kClient},
                          {QStringLiteral("environment"), kEnv},
                          {QStringLiteral("family_id"), QStringLiteral("1")}}));
}

void TestTokenCache::interoperatesWithMsalPython()
{
    // The same token response through MSAL Python's TokenCache.add and through Azid's add: the entries
    // and their keys must be the same, MSAL must compute Azid's keys from Azid's entries (it does so
    // to update or remove them), and Azid must find tokens in MSAL's cache.
    const QStringList scopes{kArm, QStringLiteral("offline_access"), QStringLiteral("openid"),
                             QStringLiteral("profile")};
    const QByteArray clientInfo =
        QByteArray(R"({"uid":"uid","utid":"utid"})")
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QJsonObject event{
        {QStringLiteral("client_id"), kClient},
        {QStringLiteral("scope"), QJsonArray::fromStringList(scopes)},
        {QStringLiteral("token_endpoint"),
         QStringLiteral("https://login.microsoftonline.com/organizations/oauth2/v2.0/token")},
        {QStringLiteral("environment"), kEnv},
        {QStringLiteral("response"),
         QJsonObject{{QStringLiteral("access_token"), QStringLiteral("msal-at")},
                     {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                     {QStringLiteral("expires_in"), 3600},
                     {QStringLiteral("ext_expires_in"), 7200},
                     {QStringLiteral("refresh_token"), QStringLiteral("msal-rt")},
                     {QStringLiteral("client_info"), QString::fromLatin1(clientInfo)},
                     {QStringLiteral("foci"), QStringLiteral("1")}}},
    };

    TokenCache ours;
    TokenResponseEntry e;
    e.clientId = kClient;
    e.environment = kEnv;
    e.realm = kRealm;
    e.homeAccountId = kHome;
    e.scopes = scopes;
    e.accessToken = Secret::fromString(QStringLiteral("msal-at"));
    e.now = kNow;
    e.expiresOn = kNow + 3600;
    e.extendedExpiresOn = kNow + 7200;
    e.refreshToken = Secret::fromString(QStringLiteral("msal-rt"));
    e.familyId = QStringLiteral("1");
    CachedAccount account;
    account.homeAccountId = kHome;
    account.environment = kEnv;
    account.realm = kRealm;
    e.account = account;
    ours.add(e);

    const QString script = QStringLiteral(
        "import json, sys\n"
        "try:\n"
        "    import msal\n"
        "except ImportError as e:\n"
        "    sys.stderr.write('cannot import msal: %s\\n' % e)\n"
        "    sys.exit(3)\n"
        "data = json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
        "cache = msal.SerializableTokenCache()\n"
        "cache.add(data['event'], now=data['now'])\n"
        "azid = json.loads(data['azid'])\n"
        "mismatched = []\n"
        "for section, entries in azid.items():\n"
        "    if section in cache.key_makers:\n"
        "        for key, entry in entries.items():\n"
        "            if cache.key_makers[section](**entry) != key:\n"
        "                mismatched.append(key)\n"
        "print(json.dumps({'msal': json.loads(cache.serialize()), 'mismatched': mismatched}))\n");
    const QJsonObject input{{QStringLiteral("event"), event},
                            {QStringLiteral("now"), kNow},
                            {QStringLiteral("azid"), QString::fromUtf8(ours.serialize())}};
    QByteArray output;
    QString failure;
    if (!runPython(script, QJsonDocument(input).toJson(QJsonDocument::Compact), &output, &failure))
        QFAIL(qPrintable(failure));
    const QJsonObject answer = QJsonDocument::fromJson(output).object();
    QCOMPARE(answer.value(QStringLiteral("mismatched")).toArray(), QJsonArray());
    const QJsonObject msal = answer.value(QStringLiteral("msal")).toObject();
    const QJsonObject azid = contents(ours);

    for (const QString &section :
         {QStringLiteral("AccessToken"), QStringLiteral("RefreshToken"), QStringLiteral("AppMetadata")}) {
        // Same keys and the same entries, field for field.
        QCOMPARE(azid.value(section).toObject(), msal.value(section).toObject());
    }
    QCOMPARE(azid.value(QStringLiteral("Account")).toObject().keys(),
             msal.value(QStringLiteral("Account")).toObject().keys());

    TokenCache fromMsal;
    const VoidResult loaded = fromMsal.deserialize(QJsonDocument(msal).toJson());
    QVERIFY(loaded.ok());
    const auto at = fromMsal.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow + 60);
    QVERIFY(at);
    QCOMPARE(at->secret.revealString(), QStringLiteral("msal-at"));
    QCOMPARE(at->expiresOn, kNow + 3600);
    const auto rt = fromMsal.findRefreshToken(kHome, kEnv, kOtherClient);
    QVERIFY(rt); // a family token, usable by another family client
    QCOMPARE(rt->secret.revealString(), QStringLiteral("msal-rt"));
    QCOMPARE(rt->familyId, QStringLiteral("1"));
    QCOMPARE(fromMsal.accounts().size(), 1);
}

void TestTokenCache::findAccessTokenScopeSubset_data()
{
    QTest::addColumn<QStringList>("requested");
    QTest::addColumn<bool>("found");
    QTest::newRow("one of two") << QStringList{QStringLiteral("api://app/Read")} << true;
    QTest::newRow("both") << QStringList{QStringLiteral("api://app/Write"), QStringLiteral("api://app/Read")}
                          << true;
    QTest::newRow("other case") << QStringList{QStringLiteral("API://APP/read")} << true;
    QTest::newRow("duplicate") << QStringList{QStringLiteral("api://app/Read"),
                                              QStringLiteral("api://app/read")}
                               << true;
    QTest::newRow("not granted") << QStringList{QStringLiteral("api://app/Delete")} << false;
    QTest::newRow("one missing") << QStringList{QStringLiteral("api://app/Read"),
                                                QStringLiteral("api://app/Delete")}
                                 << false;
    QTest::newRow("prefix only") << QStringList{QStringLiteral("api://app/Rea")} << false;
}

void TestTokenCache::findAccessTokenScopeSubset()
{
    QFETCH(QStringList, requested);
    QFETCH(bool, found);
    TokenCache cache;
    EntrySpec spec;
    spec.scopes = {QStringLiteral("api://app/Read"), QStringLiteral("api://app/Write")};
    cache.add(entry(spec));
    const auto token = cache.findAccessToken(kHome, kEnv, kClient, kRealm, requested, kNow);
    QCOMPARE(bool(token), found);
    if (found) {
        QCOMPARE(token->secret.revealString(), secretFor("at", spec));
        QCOMPARE(token->target, QStringLiteral("api://app/Read api://app/Write"));
        QCOMPARE(token->homeAccountId, kHome);
        QCOMPARE(token->clientId, kClient);
        QCOMPARE(token->realm, kRealm);
        QCOMPARE(token->expiresOn, kNow + 3600);
        QCOMPARE(token->cachedAt, kNow);
    }
}

void TestTokenCache::minimumLifetime_data()
{
    QTest::addColumn<qint64>("secondsLeft");
    QTest::addColumn<qint64>("minimumLifetime"); // -1: the default
    QTest::addColumn<bool>("found");
    QTest::newRow("an hour") << qint64(3600) << qint64(-1) << true;
    QTest::newRow("301 s") << qint64(301) << qint64(-1) << true;
    QTest::newRow("300 s") << qint64(300) << qint64(-1) << true;
    QTest::newRow("299 s") << qint64(299) << qint64(-1) << false;
    QTest::newRow("10 s") << qint64(10) << qint64(-1) << false;
    QTest::newRow("expired") << qint64(-10) << qint64(-1) << false;
    QTest::newRow("10 s, no minimum") << qint64(10) << qint64(0) << true;
    QTest::newRow("expired, no minimum") << qint64(-1) << qint64(0) << false;
    QTest::newRow("1000 s, 1200 wanted") << qint64(1000) << qint64(1200) << false;
}

void TestTokenCache::minimumLifetime()
{
    QFETCH(qint64, secondsLeft);
    QFETCH(qint64, minimumLifetime);
    QFETCH(bool, found);
    TokenCache cache;
    cache.add(entry(EntrySpec{}));
    const qint64 now = kNow + 3600 - secondsLeft;
    const auto token = minimumLifetime < 0 ? cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, now)
                                           : cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, now,
                                                                   minimumLifetime);
    QCOMPARE(bool(token), found);
}

void TestTokenCache::isolation_data()
{
    QTest::addColumn<QString>("home");
    QTest::addColumn<QString>("environment");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("realm");
    QTest::addColumn<bool>("found");
    QTest::newRow("same") << kHome << kEnv << kClient << kRealm << true;
    QTest::newRow("other account") << kOtherHome << kEnv << kClient << kRealm << false;
    QTest::newRow("other environment")
        << kHome << QStringLiteral("login.microsoftonline.us") << kClient << kRealm << false;
    QTest::newRow("other port") << kHome << QStringLiteral("login.microsoftonline.com:8443") << kClient
                                << kRealm << false;
    QTest::newRow("other client") << kHome << kEnv << kOtherClient << kRealm << false;
    QTest::newRow("other realm") << kHome << kEnv << kClient << kTenant << false;
    QTest::newRow("no account") << QString() << kEnv << kClient << kRealm << false;
}

void TestTokenCache::isolation()
{
    QFETCH(QString, home);
    QFETCH(QString, environment);
    QFETCH(QString, client);
    QFETCH(QString, realm);
    QFETCH(bool, found);
    TokenCache cache;
    cache.add(entry(EntrySpec{}));
    QCOMPARE(bool(cache.findAccessToken(home, environment, client, realm, {kArm}, kNow)), found);
}

void TestTokenCache::disjointScopesCoexist()
{
    TokenCache cache;
    EntrySpec arm;
    EntrySpec graph;
    graph.scopes = {kGraph};
    cache.add(entry(arm));
    cache.add(entry(graph));
    QCOMPARE(cache.accessTokenCount(), 2);
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow)->secret.revealString(),
             secretFor("at", arm));
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kGraph}, kNow)->secret.revealString(),
             secretFor("at", graph));
    QVERIFY(!cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm, kGraph}, kNow));
}

void TestTokenCache::newerTokenForOverlappingScopesReplacesOlder()
{
    TokenCache cache;
    EntrySpec first;
    first.scopes = {QStringLiteral("a"), QStringLiteral("b")};
    EntrySpec second;
    second.scopes = {QStringLiteral("b"), QStringLiteral("c")};
    second.now = kNow + 10;
    cache.add(entry(first));
    cache.add(entry(second));
    QCOMPARE(cache.accessTokenCount(), 1);
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {QStringLiteral("b")}, kNow)
                 ->secret.revealString(),
             secretFor("at", second));
    QVERIFY(!cache.findAccessToken(kHome, kEnv, kClient, kRealm, {QStringLiteral("a")}, kNow));

    // The same scopes again: replaced in place.
    EntrySpec third = second;
    third.tag = QStringLiteral("3");
    cache.add(entry(third));
    QCOMPARE(cache.accessTokenCount(), 1);
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {QStringLiteral("c")}, kNow)
                 ->secret.revealString(),
             secretFor("at", third));
}

void TestTokenCache::appTokens()
{
    TokenCache cache;
    EntrySpec app;
    app.home.clear();
    app.realm = kTenant;
    app.scopes = {kGraph};
    app.refreshToken = false;
    cache.add(entry(app));
    EntrySpec user;
    user.realm = kTenant;
    user.scopes = {kGraph};
    cache.add(entry(user));

    const auto appToken = cache.findAppToken(kEnv, kClient, kTenant, {kGraph}, kNow);
    QVERIFY(appToken);
    QCOMPARE(appToken->secret.revealString(), secretFor("at", app));
    QVERIFY(appToken->homeAccountId.isEmpty());
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kTenant, {kGraph}, kNow)->secret.revealString(),
             secretFor("at", user));
    QVERIFY(!cache.findAppToken(kEnv, kClient, kRealm, {kGraph}, kNow));
    QVERIFY(!cache.findAppToken(kEnv, kOtherClient, kTenant, {kGraph}, kNow));
    QVERIFY(!cache.findAppToken(kEnv, kClient, kTenant, {kGraph}, kNow + 3600 - 299));

    const QString key = atKey(QString(), kClient, kTenant, kGraph);
    QVERIFY(key.startsWith(QStringLiteral("-login.microsoftonline.com-accesstoken-")));
    const QJsonObject json =
        contents(cache).value(QStringLiteral("AccessToken")).toObject().value(key).toObject();
    QCOMPARE(json.value(QStringLiteral("secret")).toString(), secretFor("at", app));
    QVERIFY(!json.contains(QStringLiteral("home_account_id")));
    QCOMPARE(cache.accounts().size(), 1); // the user's only
}

void TestTokenCache::ownRefreshToken()
{
    TokenCache cache;
    EntrySpec spec;
    cache.add(entry(spec));
    const auto rt = cache.findRefreshToken(kHome, kEnv, kClient);
    QVERIFY(rt);
    QCOMPARE(rt->secret.revealString(), secretFor("rt", spec));
    QCOMPARE(rt->clientId, kClient);
    QCOMPARE(rt->homeAccountId, kHome);
    QCOMPARE(rt->environment, kEnv);
    QCOMPARE(rt->target, kArm);
    QCOMPARE(rt->lastModificationTime, kNow);
    QVERIFY(rt->familyId.isEmpty());
    QVERIFY(cache.findRefreshToken(kHome, kEnv, kClient, false));
    QVERIFY(!cache.findRefreshToken(kHome, QStringLiteral("login.microsoftonline.us"), kClient));
}

void TestTokenCache::familyRefreshTokenForUnknownClient()
{
    TokenCache cache;
    EntrySpec cli;
    cli.family = QStringLiteral("1");
    cache.add(entry(cli));
    const auto rt = cache.findRefreshToken(kHome, kEnv, kOtherClient);
    QVERIFY(rt);
    QCOMPARE(rt->clientId, kClient);
    QCOMPARE(rt->familyId, QStringLiteral("1"));
    QCOMPARE(rt->secret.revealString(), secretFor("rt", cli));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kOtherClient, false));
}

void TestTokenCache::ownRefreshTokenPreferredOverFamily()
{
    TokenCache cache;
    EntrySpec mine;
    mine.client = kOtherClient;
    mine.family = QStringLiteral("1");
    cache.add(entry(mine));
    EntrySpec newerFamily;
    newerFamily.family = QStringLiteral("1");
    newerFamily.now = kNow + 500;
    cache.add(entry(newerFamily));
    const auto rt = cache.findRefreshToken(kHome, kEnv, kOtherClient);
    QVERIFY(rt);
    QCOMPARE(rt->clientId, kOtherClient);
    QCOMPARE(rt->secret.revealString(), secretFor("rt", mine));
}

void TestTokenCache::nonFamilyRefreshTokenIsNotShared()
{
    TokenCache cache;
    cache.add(entry(EntrySpec{}));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kOtherClient));
}

void TestTokenCache::knownNonFamilyClientDoesNotUseFamilyTokens()
{
    TokenCache cache;
    EntrySpec cli;
    cli.family = QStringLiteral("1");
    cache.add(entry(cli));
    // The other client once got an answer without "foci": MSAL then knows it is outside the family.
    EntrySpec outsider;
    outsider.client = kOtherClient;
    outsider.refreshToken = false;
    outsider.scopes = {kGraph};
    cache.add(entry(outsider));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kOtherClient));
    // The family client itself is unaffected.
    QVERIFY(cache.findRefreshToken(kHome, kEnv, kClient));
}

void TestTokenCache::appMetadataWithoutFamilyValueMeansNoFamily_data()
{
    QTest::addColumn<QJsonValue>("familyId");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("empty string") << QJsonValue(QString());
}

void TestTokenCache::appMetadataWithoutFamilyValueMeansNoFamily()
{
    // MSAL decides with `if app_metadata.get("family_id"):`, so an app metadata entry whose family_id is
    // null or "" marks a client outside any family, exactly like one without the field.
    QFETCH(QJsonValue, familyId);
    TokenCache cache;
    EntrySpec cli;
    cli.family = QStringLiteral("1");
    cache.add(entry(cli));
    QJsonObject root = contents(cache);
    QJsonObject apps = root.value(QStringLiteral("AppMetadata")).toObject();
    apps.insert(QStringLiteral("appmetadata-%1-%2").arg(kEnv, kOtherClient),
                QJsonObject{{QStringLiteral("client_id"), kOtherClient},
                            {QStringLiteral("environment"), kEnv},
                            {QStringLiteral("family_id"), familyId}});
    root.insert(QStringLiteral("AppMetadata"), apps);
    QVERIFY(cache.deserialize(QJsonDocument(root).toJson()).ok());
    QVERIFY(cache.findRefreshToken(kHome, kEnv, kClient));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kOtherClient));
}

void TestTokenCache::newestFamilyTokenWins()
{
    TokenCache cache;
    EntrySpec older;
    older.family = QStringLiteral("1");
    EntrySpec newer;
    newer.client = kThirdClient;
    newer.family = QStringLiteral("1");
    newer.now = kNow + 100;
    cache.add(entry(newer));
    cache.add(entry(older)); // added last, but older
    const auto rt = cache.findRefreshToken(kHome, kEnv, kOtherClient);
    QVERIFY(rt);
    QCOMPARE(rt->clientId, kThirdClient);
    QCOMPARE(rt->lastModificationTime, kNow + 100);
}

void TestTokenCache::refreshTokensOfOtherAccountsAreNotReturned()
{
    TokenCache cache;
    EntrySpec other;
    other.home = kOtherHome;
    other.family = QStringLiteral("1");
    cache.add(entry(other));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kClient));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kOtherClient));
    QCOMPARE(cache.findRefreshToken(kOtherHome, kEnv, kClient)->homeAccountId, kOtherHome);
}

void TestTokenCache::newRefreshTokenSupersedesOlderOfSameClient()
{
    TokenCache cache;
    EntrySpec first;
    EntrySpec second;
    second.scopes = {kGraph};
    second.now = kNow + 60;
    cache.add(entry(first));
    cache.add(entry(second));
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")), QStringList{rtKey(kHome, kClient, kGraph)});
    QCOMPARE(cache.findRefreshToken(kHome, kEnv, kClient)->secret.revealString(), secretFor("rt", second));
}

void TestTokenCache::updateRefreshToken()
{
    TokenCache cache;
    EntrySpec spec;
    spec.family = QStringLiteral("1");
    cache.add(entry(spec));
    const auto old = cache.findRefreshToken(kHome, kEnv, kClient);
    QVERIFY(old);
    const quint64 before = cache.generation();
    cache.updateRefreshToken(*old, Secret::fromString(QStringLiteral("rotated")), kNow + 42);
    QVERIFY(cache.generation() != before);

    const auto updated = cache.findRefreshToken(kHome, kEnv, kClient);
    QVERIFY(updated);
    QCOMPARE(updated->secret.revealString(), QStringLiteral("rotated"));
    QCOMPARE(updated->lastModificationTime, kNow + 42);
    QCOMPARE(updated->familyId, QStringLiteral("1"));
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")).size(), 1);
    const QJsonObject json = contents(cache)
                                 .value(QStringLiteral("RefreshToken"))
                                 .toObject()
                                 .value(rtKey(kHome, kClient, kArm))
                                 .toObject();
    QCOMPARE(json.value(QStringLiteral("secret")).toString(), QStringLiteral("rotated"));
    QCOMPARE(json.value(QStringLiteral("last_modification_time")), QJsonValue(QStringLiteral("1700000042")));

    // A token that is not (or no longer) in the cache is not resurrected.
    CachedRefreshToken gone = *old;
    gone.homeAccountId = kOtherHome;
    cache.updateRefreshToken(gone, Secret::fromString(QStringLiteral("x")), kNow);
    QVERIFY(!cache.findRefreshToken(kOtherHome, kEnv, kClient));
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")).size(), 1);
}

namespace {
// Account X holds tokens of two family clients (kClient, kThirdClient) and one client outside the family
// (kOtherClient), in two realms; account Y holds a family token too.
void populateForRemoval(TokenCache &cache)
{
    EntrySpec a;
    a.family = QStringLiteral("1");
    cache.add(entry(a));
    EntrySpec a2 = a;
    a2.realm = kTenant;
    a2.scopes = {kGraph};
    a2.refreshToken = false;
    cache.add(entry(a2));
    EntrySpec b;
    b.client = kThirdClient;
    b.family = QStringLiteral("1");
    cache.add(entry(b));
    EntrySpec c;
    c.client = kOtherClient;
    c.scopes = {QStringLiteral("api://other/.default")};
    cache.add(entry(c));
    EntrySpec y;
    y.home = kOtherHome;
    y.family = QStringLiteral("1");
    cache.add(entry(y));
}
} // namespace

void TestTokenCache::removeAccountOfFamilyClient()
{
    TokenCache cache;
    populateForRemoval(cache);
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")).size(), 4);
    QCOMPARE(cache.accessTokenCount(), 5);

    cache.removeAccount(kHome, kEnv, kClient);

    // MSAL's _forget_me: this client's and its family's refresh tokens go, the non-family client's
    // stays; every access token, id token and account entry of the home account goes, in every realm.
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")),
             (QStringList{rtKey(kHome, kOtherClient, QStringLiteral("api://other/.default")),
                          rtKey(kOtherHome, kClient, kArm)}));
    QCOMPARE(keys(cache, QStringLiteral("AccessToken")),
             QStringList{atKey(kOtherHome, kClient, kRealm, kArm)});
    QCOMPARE(
        keys(cache, QStringLiteral("IdToken")),
        QStringList{
            QStringLiteral("uid2.utid-login.microsoftonline.com-idtoken-%1-organizations-").arg(kClient)});
    QCOMPARE(keys(cache, QStringLiteral("Account")),
             QStringList{QStringLiteral("uid2.utid-login.microsoftonline.com-organizations")});
    QCOMPARE(keys(cache, QStringLiteral("AppMetadata")).size(), 3); // app metadata is not per account

    QVERIFY(!cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow));
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kClient));
    QVERIFY(!cache.account(kHome, kEnv));
    QVERIFY(cache.findAccessToken(kOtherHome, kEnv, kClient, kRealm, {kArm}, kNow));
    QVERIFY(cache.findRefreshToken(kOtherHome, kEnv, kClient));
    QVERIFY(cache.account(kOtherHome, kEnv));
}

void TestTokenCache::removeAccountOfNonFamilyClient()
{
    TokenCache cache;
    populateForRemoval(cache);
    cache.removeAccount(kHome, kEnv, kOtherClient);
    QCOMPARE(keys(cache, QStringLiteral("RefreshToken")),
             (QStringList{rtKey(kHome, kClient, kArm), rtKey(kHome, kThirdClient, kArm),
                          rtKey(kOtherHome, kClient, kArm)}));
    QCOMPARE(keys(cache, QStringLiteral("AccessToken")),
             QStringList{atKey(kOtherHome, kClient, kRealm, kArm)});
    QVERIFY(cache.account(kOtherHome, kEnv));
    QVERIFY(!cache.account(kHome, kEnv));
}

void TestTokenCache::removeAccountLeavesOtherEnvironments()
{
    TokenCache cache;
    EntrySpec pub;
    EntrySpec gov;
    gov.environment = QStringLiteral("login.microsoftonline.us");
    cache.add(entry(pub));
    cache.add(entry(gov));
    cache.removeAccount(kHome, kEnv, kClient);
    QVERIFY(!cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow));
    QVERIFY(cache.findAccessToken(kHome, gov.environment, kClient, kRealm, {kArm}, kNow));
    QVERIFY(cache.findRefreshToken(kHome, gov.environment, kClient));
    QVERIFY(cache.account(kHome, gov.environment));
    QCOMPARE(cache.accounts().size(), 1);
}

void TestTokenCache::roundTripKeepsUnknownSectionsAndFields()
{
    const QString at = atKey(kHome, kClient, kRealm, kArm);
    const QString rt = rtKey(kHome, kClient, kArm);
    const QJsonObject original{
        {QStringLiteral("AccessToken"),
         QJsonObject{{at, QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("AccessToken")},
                                      {QStringLiteral("secret"), QStringLiteral("stored-at")},
                                      {QStringLiteral("home_account_id"), kHome},
                                      {QStringLiteral("environment"), kEnv},
                                      {QStringLiteral("client_id"), kClient},
                                      {QStringLiteral("realm"), kRealm},
                                      {QStringLiteral("target"), kArm},
                                      {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                      {QStringLiteral("cached_at"), QStringLiteral("1700000000")},
                                      {QStringLiteral("expires_on"), QStringLiteral("1700003600")},
                                      {QStringLiteral("extended_expires_on"), QStringLiteral("1700007200")},
                                      {QStringLiteral("key_id"), QStringLiteral("pop-key")},
                                      {QStringLiteral("ext"), QJsonObject{{QStringLiteral("nested"), 1}}}}}}},
        {QStringLiteral("RefreshToken"),
         QJsonObject{
             {rt, QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("RefreshToken")},
                              {QStringLiteral("secret"), QStringLiteral("stored-rt")},
                              {QStringLiteral("home_account_id"), kHome},
                              {QStringLiteral("environment"), kEnv},
                              {QStringLiteral("client_id"), kClient},
                              {QStringLiteral("target"), kArm},
                              {QStringLiteral("last_modification_time"), QStringLiteral("1700000000")},
                              {QStringLiteral("family_id"), QStringLiteral("1")},
                              {QStringLiteral("unknown_rt_field"), QJsonArray{1, 2, 3}}}}}},
        {QStringLiteral("IdToken"),
         QJsonObject{{QStringLiteral("some-idtoken-key"),
                      QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("IdToken")},
                                  {QStringLiteral("secret"), QStringLiteral("a.b.c")},
                                  {QStringLiteral("authority"), QStringLiteral("x")}}}}},
        {QStringLiteral("Account"),
         QJsonObject{
             {QStringLiteral("uid.utid-login.microsoftonline.com-organizations"),
              QJsonObject{{QStringLiteral("home_account_id"), kHome},
                          {QStringLiteral("environment"), kEnv},
                          {QStringLiteral("realm"), kRealm},
                          {QStringLiteral("local_account_id"), QStringLiteral("oid")},
                          {QStringLiteral("username"), QStringLiteral("user@contoso.example")},
                          {QStringLiteral("authority_type"), QStringLiteral("MSSTS")},
                          {QStringLiteral("client_info"), QStringLiteral("eyJ1aWQiOiJ1aWQifQ")},
                          {QStringLiteral("last_modification_time"), QStringLiteral("1700000000")}}}}},
        {QStringLiteral("AppMetadata"),
         QJsonObject{{QStringLiteral("appmetadata-%1-%2").arg(kEnv, kClient),
                      QJsonObject{{QStringLiteral("client_id"), kClient},
                                  {QStringLiteral("environment"), kEnv},
                                  {QStringLiteral("family_id"), QStringLiteral("1")},
                                  {QStringLiteral("extra"), true}}}}},
        {QStringLiteral("CustomSection"),
         QJsonObject{{QStringLiteral("anything"), QJsonArray{1, QStringLiteral("two"), QJsonValue::Null}}}},
        {QStringLiteral("SchemaVersion"), 3},
    };
    TokenCache cache;
    const VoidResult loaded = cache.deserialize(QJsonDocument(original).toJson());
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow)->secret.revealString(),
             QStringLiteral("stored-at"));
    QCOMPARE(cache.findRefreshToken(kHome, kEnv, kOtherClient)->secret.revealString(),
             QStringLiteral("stored-rt"));
    QCOMPARE(cache.accounts().size(), 1);
    QCOMPARE(cache.accounts().first().username, QStringLiteral("user@contoso.example"));

    QCOMPARE(contents(cache), original);

    // Another cache reading what this one wrote writes it back unchanged too.
    TokenCache second;
    QVERIFY(second.deserialize(cache.serialize()).ok());
    QCOMPARE(contents(second), original);

    // A mutation elsewhere does not lose them either.
    EntrySpec other;
    other.home = kOtherHome;
    cache.add(entry(other));
    const QJsonObject after = contents(cache);
    QCOMPARE(after.value(QStringLiteral("CustomSection")), original.value(QStringLiteral("CustomSection")));
    QCOMPARE(after.value(QStringLiteral("AccessToken")).toObject().value(at),
             original.value(QStringLiteral("AccessToken")).toObject().value(at));
    QCOMPARE(after.value(QStringLiteral("RefreshToken")).toObject().value(rt),
             original.value(QStringLiteral("RefreshToken")).toObject().value(rt));
}

// serialize() writes the JSON itself: keys with quotes, backslashes, control characters and non-ASCII
// text, and unknown sections of any kind, come back as they were.
void TestTokenCache::keysAndValuesThatNeedEscaping()
{
    const QJsonObject at{{QStringLiteral("credential_type"), QStringLiteral("AccessToken")},
                         {QStringLiteral("secret"), QStringLiteral("at-\"quoted\"\\-\u00e9")},
                         {QStringLiteral("home_account_id"), QStringLiteral("h.t")},
                         {QStringLiteral("environment"), QStringLiteral("login.microsoftonline.com")},
                         {QStringLiteral("client_id"), QStringLiteral("c")},
                         {QStringLiteral("realm"), QStringLiteral("t")},
                         {QStringLiteral("target"), QStringLiteral("s")},
                         {QStringLiteral("cached_at"), QStringLiteral("1")},
                         {QStringLiteral("expires_on"), QStringLiteral("2")}};
    const QJsonObject original{
        {QStringLiteral("AccessToken"),
         QJsonObject{{QStringLiteral("key \"with\" quotes\\ and\ttab\u0001 \u00fc\u4e2d"), at}}},
        {QStringLiteral("Other \"section\""), QJsonArray{1, QStringLiteral("two"), QJsonValue::Null}},
        {QStringLiteral("Scalar"), QStringLiteral("text\n")},
        {QStringLiteral("RefreshToken"), QJsonObject{}},
        {QStringLiteral("IdToken"), QJsonObject{}},
        {QStringLiteral("Account"), QJsonObject{}},
        {QStringLiteral("AppMetadata"), QJsonObject{}}};
    TokenCache cache;
    QVERIFY(cache.deserialize(QJsonDocument(original).toJson()).ok());
    QJsonParseError error;
    const QJsonDocument written = QJsonDocument::fromJson(cache.serialize(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(written.object(), original);
}

// Compact text (what Azid writes, read by the fast reader) and the same cache indented (as MSAL Python
// writes it) or with entries the fast reader leaves to QJsonDocument load into the same cache.
void TestTokenCache::compactAndIndentedTextLoadAlike_data()
{
    QTest::addColumn<QJsonObject>("extraField"); // added to the first access token
    QTest::newRow("plain") << QJsonObject{};
    QTest::newRow("unknown string field") << QJsonObject{{QStringLiteral("key_id"), QStringLiteral("pop")}};
    QTest::newRow("nested field") << QJsonObject{{QStringLiteral("ext"), QJsonArray{1, QJsonObject{}}}};
    QTest::newRow("number timestamp") << QJsonObject{{QStringLiteral("refresh_on"), 1700001800}};
    QTest::newRow("escaped secret") << QJsonObject{
        {QStringLiteral("secret"), QStringLiteral("a\"b\\c\u00e9")}};
}

void TestTokenCache::compactAndIndentedTextLoadAlike()
{
    QFETCH(QJsonObject, extraField);
    TokenCache source;
    for (int n = 0; n < 5; ++n) {
        EntrySpec spec;
        spec.home = QStringLiteral("uid%1.utid").arg(n);
        spec.scopes = {n % 2 ? kArm : kGraph};
        source.add(entry(spec));
    }
    QJsonObject root = contents(source);
    QJsonObject tokens = root.value(QStringLiteral("AccessToken")).toObject();
    const QString first = tokens.keys().first();
    QJsonObject token = tokens.value(first).toObject();
    for (auto it = extraField.constBegin(); it != extraField.constEnd(); ++it)
        token.insert(it.key(), it.value());
    tokens.insert(first, token);
    root.insert(QStringLiteral("AccessToken"), tokens);

    TokenCache compact;
    TokenCache indented;
    QVERIFY(compact.deserialize(QJsonDocument(root).toJson(QJsonDocument::Compact)).ok());
    QVERIFY(indented.deserialize(QJsonDocument(root).toJson(QJsonDocument::Indented)).ok());
    QCOMPARE(contents(compact), root);
    QCOMPARE(contents(indented), root);
    QCOMPARE(compact.accessTokenCount(), 5);
    for (int n = 0; n < 5; ++n) {
        const QString home = QStringLiteral("uid%1.utid").arg(n);
        const QStringList scopes{n % 2 ? kArm : kGraph};
        const auto fromCompact = compact.findAccessToken(home, kEnv, kClient, kRealm, scopes, kNow);
        const auto fromIndented = indented.findAccessToken(home, kEnv, kClient, kRealm, scopes, kNow);
        QVERIFY(fromCompact && fromIndented);
        QCOMPARE(fromCompact->secret.reveal(), fromIndented->secret.reveal());
        QCOMPARE(fromCompact->expiresOn, fromIndented->expiresOn);
        QCOMPARE(fromCompact->refreshOn, fromIndented->refreshOn);
        QCOMPARE(fromCompact->target, fromIndented->target);
    }
    QCOMPARE(compact.accountStates(kNow).size(), 5);
    // What is written again is the text read, entry by entry.
    TokenCache again;
    QVERIFY(again.deserialize(compact.serialize()).ok());
    QCOMPARE(again.serialize(), compact.serialize());
}

void TestTokenCache::roundTripOfAddedEntries()
{
    TokenCache cache;
    populateForRemoval(cache);
    const QByteArray saved = cache.serialize();
    TokenCache loaded;
    QVERIFY(loaded.deserialize(saved).ok());
    QCOMPARE(contents(loaded), contents(cache));
    QCOMPARE(loaded.accessTokenCount(), cache.accessTokenCount());
    const auto at = loaded.findAccessToken(kHome, kEnv, kClient, kTenant, {kGraph}, kNow);
    QVERIFY(at);
    QCOMPARE(at->secret, cache.findAccessToken(kHome, kEnv, kClient, kTenant, {kGraph}, kNow)->secret);
    QCOMPARE(at->extendedExpiresOn, kNow + 7200);
    QCOMPARE(loaded.findRefreshToken(kHome, kEnv, kThirdClient)->secret.revealString(),
             cache.findRefreshToken(kHome, kEnv, kThirdClient)->secret.revealString());
    QCOMPARE(loaded.accounts().size(), cache.accounts().size());
    // Loaded entries behave like added ones.
    loaded.removeAccount(kHome, kEnv, kClient);
    cache.removeAccount(kHome, kEnv, kClient);
    QCOMPARE(contents(loaded), contents(cache));
}

void TestTokenCache::timestampsOutOfRangeAreClamped_data()
{
    // A cache file is outside data: its times are compared with and subtracted from the current
    // time, so they are clamped to [0, 9999-12-31T23:59:59Z] when read.
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("string 2^63-1") << QJsonValue(QStringLiteral("9223372036854775807"))
                                   << detail::limits::MaxEpochSeconds;
    QTest::newRow("string -2^63") << QJsonValue(QStringLiteral("-9223372036854775808")) << qint64(0);
    QTest::newRow("number 1e300") << QJsonValue(1e300) << detail::limits::MaxEpochSeconds;
    QTest::newRow("number -1e300") << QJsonValue(-1e300) << qint64(0);
    QTest::newRow("year 9999") << QJsonValue(QStringLiteral("253402300799"))
                               << detail::limits::MaxEpochSeconds;
    QTest::newRow("in range") << QJsonValue(QStringLiteral("1700003600")) << qint64(1700003600);
}

void TestTokenCache::timestampsOutOfRangeAreClamped()
{
    QFETCH(QJsonValue, value);
    QFETCH(qint64, expected);
    const QString at = atKey(kHome, kClient, kRealm, kArm);
    const QJsonObject root{
        {QStringLiteral("AccessToken"),
         QJsonObject{{at, QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("AccessToken")},
                                      {QStringLiteral("secret"), QStringLiteral("huge")},
                                      {QStringLiteral("home_account_id"), kHome},
                                      {QStringLiteral("environment"), kEnv},
                                      {QStringLiteral("client_id"), kClient},
                                      {QStringLiteral("realm"), kRealm},
                                      {QStringLiteral("target"), kArm},
                                      {QStringLiteral("cached_at"), value},
                                      {QStringLiteral("expires_on"), value},
                                      {QStringLiteral("extended_expires_on"), value},
                                      {QStringLiteral("refresh_on"), value}}}}},
    };
    TokenCache cache;
    QVERIFY(cache.deserialize(QJsonDocument(root).toJson()).ok());
    // Looked up with a minimum lifetime of 0, so that an expired (clamped to 0) token is found too.
    const auto token = cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, 0, 0);
    QVERIFY(token);
    QCOMPARE(token->expiresOn, expected);
    QCOMPARE(token->cachedAt, expected);
    QCOMPARE(token->extendedExpiresOn, expected);
    QCOMPARE(token->refreshOn.value_or(-1), expected);
    // And the lookups at the current time subtract without overflow.
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow).has_value(),
             expected > kNow + 300);
}

void TestTokenCache::timestampsAcceptedAsNumbers()
{
    const QString at = atKey(kHome, kClient, kRealm, kArm);
    const QJsonObject root{
        {QStringLiteral("AccessToken"),
         QJsonObject{{at, QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("AccessToken")},
                                      {QStringLiteral("secret"), QStringLiteral("numeric")},
                                      {QStringLiteral("home_account_id"), kHome},
                                      {QStringLiteral("environment"), kEnv},
                                      {QStringLiteral("client_id"), kClient},
                                      {QStringLiteral("realm"), kRealm},
                                      {QStringLiteral("target"), kArm},
                                      {QStringLiteral("cached_at"), 1700000000},
                                      {QStringLiteral("expires_on"), 1700003600},
                                      {QStringLiteral("extended_expires_on"), 1700007200},
                                      {QStringLiteral("refresh_on"), 1700001800}}}}},
        {QStringLiteral("RefreshToken"),
         QJsonObject{{rtKey(kHome, kClient, kArm),
                      QJsonObject{{QStringLiteral("credential_type"), QStringLiteral("RefreshToken")},
                                  {QStringLiteral("secret"), QStringLiteral("rt")},
                                  {QStringLiteral("home_account_id"), kHome},
                                  {QStringLiteral("environment"), kEnv},
                                  {QStringLiteral("client_id"), kClient},
                                  {QStringLiteral("target"), kArm},
                                  {QStringLiteral("last_modification_time"), 1700000123}}}}},
    };
    TokenCache cache;
    QVERIFY(cache.deserialize(QJsonDocument(root).toJson()).ok());
    const auto token = cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow);
    QVERIFY(token);
    QCOMPARE(token->expiresOn, qint64(1700003600));
    QCOMPARE(token->cachedAt, qint64(1700000000));
    QCOMPARE(token->extendedExpiresOn, qint64(1700007200));
    QVERIFY(token->refreshOn);
    QCOMPARE(*token->refreshOn, qint64(1700001800));
    QCOMPARE(token->tokenType, QStringLiteral("Bearer")); // absent: Bearer
    QVERIFY(!cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, 1700003600 - 299));
    QCOMPARE(cache.findRefreshToken(kHome, kEnv, kClient)->lastModificationTime, qint64(1700000123));

    // Azid's own writes use strings, as MSAL's schema says.
    TokenCache written;
    written.add(entry(EntrySpec{}));
    const QJsonObject json =
        contents(written).value(QStringLiteral("AccessToken")).toObject().value(at).toObject();
    for (const char *field : {"cached_at", "expires_on", "extended_expires_on"})
        QVERIFY2(json.value(QLatin1String(field)).isString(), field);
}

void TestTokenCache::deserializeErrorsLeaveCacheUnchanged_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not JSON") << QByteArray("this is not json");
    QTest::newRow("truncated") << QByteArray(R"({"AccessToken": {)");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("string") << QByteArray(R"("AccessToken")");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("AccessToken is an array") << QByteArray(R"({"AccessToken": []})");
    QTest::newRow("RefreshToken is a string") << QByteArray(R"({"RefreshToken": "x"})");
    QTest::newRow("Account is a number") << QByteArray(R"({"Account": 5})");
    QTest::newRow("AppMetadata is null") << QByteArray(R"({"AppMetadata": null})");
    QTest::newRow("valid section, then a bad one")
        << QByteArray(R"({"AccessToken": {"k": {"credential_type": "AccessToken", "secret": "new", )"
                      R"("home_account_id": "uid.utid", "environment": "login.microsoftonline.com", )"
                      R"("client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "realm": "organizations", )"
                      R"("target": "https://management.azure.com/.default", "expires_on": "1800000000"}}, )"
                      R"("IdToken": true})");
}

void TestTokenCache::deserializeErrorsLeaveCacheUnchanged()
{
    QFETCH(QByteArray, json);
    TokenCache cache;
    EntrySpec spec;
    cache.add(entry(spec));
    const QByteArray before = cache.serialize();
    const quint64 generation = cache.generation();

    const VoidResult result = cache.deserialize(json);
    QVERIFY(!result.ok());
    QVERIFY(!result.error().message.isEmpty());
    QCOMPARE(cache.generation(), generation);
    QCOMPARE(cache.serialize(), before);
    QCOMPARE(cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow)->secret.revealString(),
             secretFor("at", spec));
}

void TestTokenCache::nonObjectEntriesAreSkipped()
{
    TokenCache cache;
    const VoidResult result = cache.deserialize(R"({"AccessToken": {"a": 1, "b": "x"}, "Account": {}})");
    QVERIFY(result.ok());
    QCOMPARE(cache.accessTokenCount(), 0);
    QVERIFY(cache.accounts().isEmpty());
    QVERIFY(cache.deserialize("{}").ok());
}

void TestTokenCache::generationChangesOnEveryMutation()
{
    TokenCache cache;
    quint64 last = cache.generation();
    auto changed = [&]() {
        const quint64 now = cache.generation();
        const bool different = now != last;
        last = now;
        return different;
    };
    cache.add(entry(EntrySpec{}));
    QVERIFY(changed());
    EntrySpec second;
    second.home = kOtherHome;
    second.family = QStringLiteral("1");
    cache.add(entry(second));
    QVERIFY(changed());

    // Reading changes nothing.
    cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow);
    cache.findRefreshToken(kHome, kEnv, kClient);
    cache.accounts();
    cache.account(kHome, kEnv);
    cache.serialize();
    cache.accessTokenCount();
    QVERIFY(!changed());

    const auto rt = cache.findRefreshToken(kHome, kEnv, kClient);
    cache.updateRefreshToken(*rt, Secret::fromString(QStringLiteral("rotated")), kNow + 1);
    QVERIFY(changed());
    cache.removeAccount(kOtherHome, kEnv, kClient);
    QVERIFY(changed());
    const QByteArray saved = cache.serialize();
    QVERIFY(cache.deserialize(saved).ok());
    QVERIFY(changed()); // same contents, but a load always counts
    cache.clear();
    QVERIFY(changed());
}

void TestTokenCache::accountsListing()
{
    TokenCache cache;
    QVERIFY(cache.accounts().isEmpty());
    EntrySpec zed;
    zed.home = QStringLiteral("zed.utid");
    EntrySpec amy;
    amy.home = QStringLiteral("amy.utid");
    amy.realm = kTenant;
    EntrySpec amyGov = amy;
    amyGov.environment = QStringLiteral("login.microsoftonline.us");
    cache.add(entry(zed));
    cache.add(entry(amy));
    cache.add(entry(amyGov));
    cache.add(entry(amy)); // again: still one entry

    const QList<CachedAccount> accounts = cache.accounts();
    QCOMPARE(accounts.size(), 3);
    QCOMPARE(accounts[0].username, QStringLiteral("amy@contoso.example"));
    QCOMPARE(accounts[1].username, QStringLiteral("amy@contoso.example"));
    QCOMPARE(accounts[2].username, QStringLiteral("zed@contoso.example"));
    QCOMPARE(accounts[2].homeAccountId, QStringLiteral("zed.utid"));
    QCOMPARE(accounts[2].environment, kEnv);
    QCOMPARE(accounts[2].realm, kRealm);
    QCOMPARE(accounts[2].localAccountId, QStringLiteral("oid-zed.utid"));
    QCOMPARE(accounts[2].authorityType, QStringLiteral("MSSTS"));
    QCOMPARE(accounts[2].accountSource, QStringLiteral("authorization_code"));

    const auto found = cache.account(QStringLiteral("amy.utid"), QStringLiteral("login.microsoftonline.us"));
    QVERIFY(found);
    QCOMPARE(found->environment, QStringLiteral("login.microsoftonline.us"));
    QCOMPARE(found->realm, kTenant);
    QVERIFY(!cache.account(QStringLiteral("amy.utid"), QStringLiteral("login.chinacloudapi.cn")));
    QVERIFY(!cache.account(QStringLiteral("nobody.utid"), kEnv));
}

void TestTokenCache::clear()
{
    TokenCache cache;
    populateForRemoval(cache);
    QVERIFY(cache.deserialize(R"({"Custom": {"x": 1}})").ok());
    populateForRemoval(cache);
    cache.clear();
    QCOMPARE(cache.accessTokenCount(), 0);
    QVERIFY(cache.accounts().isEmpty());
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kClient));
    const QJsonObject root = contents(cache);
    for (auto it = root.constBegin(); it != root.constEnd(); ++it)
        QVERIFY2(it.value().toObject().isEmpty(), qPrintable(it.key()));
}

namespace {

// An unsigned JWT whose payload is `claims`.
Secret jwt(const QJsonObject &claims)
{
    const auto part = [](const QJsonObject &o) {
        return QJsonDocument(o)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    return Secret(part(QJsonObject{{QStringLiteral("alg"), QStringLiteral("none")}}) + '.' + part(claims) +
                  ".sig");
}

QByteArray bytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// `object` with the five sections TokenCache always writes (empty where `object` lacks them).
QJsonObject withKnownSections(QJsonObject object)
{
    for (const char *name : {"AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata"}) {
        if (!object.contains(QLatin1String(name)))
            object.insert(QLatin1String(name), QJsonObject());
    }
    return object;
}

QJsonObject jsonObject(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

// Entries of `section` whose home_account_id is `home`, by key.
QStringList entryKeysOf(const TokenCache &cache, const QString &section, const QString &home)
{
    QStringList result;
    const QJsonObject entries = contents(cache).value(section).toObject();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it.value().toObject().value(QStringLiteral("home_account_id")).toString() == home)
            result << it.key();
    }
    return result;
}

// Two clients of kHome (one a family member), one of kOtherHome.
void fillTwoAccounts(TokenCache &cache, const QString &tag = QString())
{
    EntrySpec cli;
    cli.family = QStringLiteral("1");
    cli.tag = tag;
    cache.add(entry(cli));
    EntrySpec other;
    other.client = kOtherClient;
    other.scopes = {kGraph};
    other.tag = tag;
    cache.add(entry(other));
    EntrySpec third;
    third.home = kOtherHome;
    third.client = kThirdClient;
    third.tag = tag;
    cache.add(entry(third));
}

} // namespace

void TestTokenCache::accountStates()
{
    TokenCache cache;
    EntrySpec valid; // kHome: a valid ARM token and a named ID token
    TokenResponseEntry named = entry(valid);
    named.idToken = jwt({{QStringLiteral("name"), QStringLiteral("Alice Example")}});
    cache.add(named);
    EntrySpec expired; // kHome, another tenant: an expired Graph token, an ID token without a name
    expired.realm = kTenant;
    expired.scopes = {kGraph};
    expired.now = kNow - 7200;
    cache.add(entry(expired));
    EntrySpec refreshOnly; // kOtherHome: a refresh token, no access token
    refreshOnly.home = kOtherHome;
    TokenResponseEntry noAccessToken = entry(refreshOnly);
    noAccessToken.accessToken = Secret();
    cache.add(noAccessToken);
    EntrySpec noRefresh; // a third account: two scopes, no refresh token
    noRefresh.home = QStringLiteral("uid3.utid");
    noRefresh.scopes = {kGraph, kArm};
    noRefresh.refreshToken = false;
    cache.add(entry(noRefresh));
    EntrySpec app; // app-only: no account
    app.home.clear();
    cache.add(entry(app));

    const QList<CachedAccountState> states = cache.accountStates(kNow);
    QCOMPARE(states.size(), 3);
    QCOMPARE(states[0].homeAccountId, kHome);
    QCOMPARE(states[0].environment, kEnv);
    QCOMPARE(states[0].validUntil, kNow + 3600);
    QCOMPARE(states[0].validScopes, QStringList{kArm});
    QVERIFY(states[0].hasRefreshToken);
    QCOMPARE(states[0].displayName, QStringLiteral("Alice Example"));

    QCOMPARE(states[1].homeAccountId, kOtherHome);
    QCOMPARE(states[1].validUntil, 0);
    QVERIFY(states[1].validScopes.isEmpty());
    QVERIFY(states[1].hasRefreshToken);
    QVERIFY(states[1].displayName.isEmpty());

    QCOMPARE(states[2].homeAccountId, QStringLiteral("uid3.utid"));
    QCOMPARE(states[2].validScopes, (QStringList{kGraph, kArm}));
    QVERIFY(!states[2].hasRefreshToken);

    // Later, every token has expired: the expiry stays, the valid scopes go.
    const QList<CachedAccountState> later = cache.accountStates(kNow + 3600);
    QCOMPARE(later[0].validUntil, kNow + 3600);
    QVERIFY(later[0].validScopes.isEmpty());
}

void TestTokenCache::copyAccountFromCopiesEveryEntryOfTheAccount()
{
    TokenCache from;
    fillTwoAccounts(from);
    TokenCache to;
    EntrySpec resident;
    resident.home = QStringLiteral("uid3.utid");
    resident.client = kThirdClient;
    to.add(entry(resident));

    QVERIFY(to.copyAccountFrom(from, kHome));
    for (const QString &section : {QStringLiteral("AccessToken"), QStringLiteral("RefreshToken"),
                                   QStringLiteral("IdToken"), QStringLiteral("Account")}) {
        QStringList copied = entryKeysOf(to, section, kHome);
        QStringList expected = entryKeysOf(from, section, kHome);
        copied.sort();
        expected.sort();
        QVERIFY2(!expected.isEmpty(), qPrintable(section));
        QCOMPARE(copied, expected);
        QCOMPARE(contents(to).value(section).toObject().value(expected.first()),
                 contents(from).value(section).toObject().value(expected.first()));
        QVERIFY(entryKeysOf(to, section, kOtherHome).isEmpty());
        QCOMPARE(entryKeysOf(to, section, QStringLiteral("uid3.utid")).size(), 1);
    }
    // The app metadata of the account's clients, and not of the other account's client.
    const QStringList apps = keys(to, QStringLiteral("AppMetadata"));
    QCOMPARE(apps, (QStringList{QStringLiteral("appmetadata-%1-%2").arg(kEnv, kClient),
                                QStringLiteral("appmetadata-%1-%2").arg(kEnv, kOtherClient),
                                QStringLiteral("appmetadata-%1-%2").arg(kEnv, kThirdClient)}));
    // The indexes know the copies.
    QVERIFY(to.findAccessToken(kHome, kEnv, kOtherClient, kRealm, {kGraph}, kNow));
    const auto family = to.findRefreshToken(kHome, kEnv, QStringLiteral("unknown-client"));
    QVERIFY(family);
    QCOMPARE(family->clientId, kClient);
}

void TestTokenCache::copyAccountFromReplacesEntriesOfTheSameKeys()
{
    TokenCache from;
    fillTwoAccounts(from, QStringLiteral("new"));
    TokenCache to;
    fillTwoAccounts(to, QStringLiteral("old"));
    const qsizetype tokens = to.accessTokenCount();
    QVERIFY(to.copyAccountFrom(from, kHome));
    QCOMPARE(to.accessTokenCount(), tokens);
    const auto at = to.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow);
    QVERIFY(at);
    QVERIFY(at->secret.revealString().endsWith(QStringLiteral("|new")));
    const auto rt = to.findRefreshToken(kHome, kEnv, kClient);
    QVERIFY(rt);
    QVERIFY(rt->secret.revealString().endsWith(QStringLiteral("|new")));
    const auto untouched = to.findAccessToken(kOtherHome, kEnv, kThirdClient, kRealm, {kArm}, kNow);
    QVERIFY(untouched);
    QVERIFY(untouched->secret.revealString().endsWith(QStringLiteral("|old")));
}

void TestTokenCache::copyAccountFromWithoutTheAccountChangesNothing()
{
    TokenCache from;
    fillTwoAccounts(from);
    TokenCache to;
    EntrySpec resident;
    to.add(entry(resident));
    const QByteArray before = to.serialize();
    const quint64 generation = to.generation();
    QVERIFY(!to.copyAccountFrom(from, QStringLiteral("nobody.utid")));
    QVERIFY(!to.copyAccountFrom(to, kHome));
    QCOMPARE(to.generation(), generation);
    QCOMPARE(to.serialize(), before);
}

void TestTokenCache::removeAccountEntries()
{
    TokenCache cache;
    fillTwoAccounts(cache);
    const QStringList apps = keys(cache, QStringLiteral("AppMetadata"));
    const quint64 generation = cache.generation();
    QVERIFY(cache.removeAccountEntries(kHome));
    QVERIFY(cache.generation() != generation);
    for (const QString &section : {QStringLiteral("AccessToken"), QStringLiteral("RefreshToken"),
                                   QStringLiteral("IdToken"), QStringLiteral("Account")}) {
        QVERIFY2(entryKeysOf(cache, section, kHome).isEmpty(), qPrintable(section));
        QCOMPARE(entryKeysOf(cache, section, kOtherHome).size(), 1);
    }
    QCOMPARE(keys(cache, QStringLiteral("AppMetadata")), apps);
    QVERIFY(!cache.findRefreshToken(kHome, kEnv, kClient));
    QVERIFY(!cache.findAccessToken(kHome, kEnv, kOtherClient, kRealm, {kGraph}, kNow));
    QVERIFY(cache.findRefreshToken(kOtherHome, kEnv, kThirdClient));

    const quint64 afterRemoval = cache.generation();
    QVERIFY(!cache.removeAccountEntries(kHome));
    QCOMPARE(cache.generation(), afterRemoval);
}

void TestTokenCache::merge_data()
{
    QTest::addColumn<QJsonObject>("base");
    QTest::addColumn<QJsonObject>("ours");
    QTest::addColumn<QJsonObject>("theirs");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("nothing changed") << jsonObject(R"({"S":{"a":1}})") << jsonObject(R"({"S":{"a":1}})")
                                     << jsonObject(R"({"S":{"a":1}})") << jsonObject(R"({"S":{"a":1}})");
    QTest::newRow("both add") << jsonObject(R"({"S":{}})") << jsonObject(R"({"S":{"a":1}})")
                              << jsonObject(R"({"S":{"b":2}})") << jsonObject(R"({"S":{"a":1,"b":2}})");
    QTest::newRow("we remove") << jsonObject(R"({"S":{"a":1,"b":2}})") << jsonObject(R"({"S":{"b":2}})")
                               << jsonObject(R"({"S":{"a":1,"b":2,"c":3}})")
                               << jsonObject(R"({"S":{"b":2,"c":3}})");
    QTest::newRow("they remove") << jsonObject(R"({"S":{"a":1,"b":2}})")
                                 << jsonObject(R"({"S":{"a":1,"b":2,"c":3}})")
                                 << jsonObject(R"({"S":{"b":2}})") << jsonObject(R"({"S":{"b":2,"c":3}})");
    QTest::newRow("they change") << jsonObject(R"({"S":{"a":1}})") << jsonObject(R"({"S":{"a":1}})")
                                 << jsonObject(R"({"S":{"a":5}})") << jsonObject(R"({"S":{"a":5}})");
    QTest::newRow("both change: ours wins")
        << jsonObject(R"({"S":{"a":1}})") << jsonObject(R"({"S":{"a":2}})") << jsonObject(R"({"S":{"a":3}})")
        << jsonObject(R"({"S":{"a":2}})");
    QTest::newRow("we change, they remove")
        << jsonObject(R"({"S":{"a":1}})") << jsonObject(R"({"S":{"a":2}})") << jsonObject(R"({"S":{}})")
        << jsonObject(R"({"S":{"a":2}})");
    QTest::newRow("no file yet") << QJsonObject() << jsonObject(R"({"S":{"a":1},"T":{}})") << QJsonObject()
                                 << jsonObject(R"({"S":{"a":1},"T":{}})");
    QTest::newRow("first load") << QJsonObject() << jsonObject(R"({"S":{}})")
                                << jsonObject(R"({"S":{"a":1},"X":{"y":1}})")
                                << jsonObject(R"({"S":{"a":1},"X":{"y":1}})");
    QTest::newRow("unknown scalar member") << jsonObject(R"({"v":1})") << jsonObject(R"({"v":1})")
                                           << jsonObject(R"({"v":2})") << jsonObject(R"({"v":2})");
    QTest::newRow("entries of a known section")
        << jsonObject(R"({"AccessToken":{"a":{"x":1}}})") << jsonObject(R"({"AccessToken":{"a":{"x":1}}})")
        << jsonObject(R"({"AccessToken":{"a":{"x":1},"b":{"x":2}}})")
        << jsonObject(R"({"AccessToken":{"a":{"x":1},"b":{"x":2}}})");
}

void TestTokenCache::merge()
{
    QFETCH(QJsonObject, base);
    QFETCH(QJsonObject, ours);
    QFETCH(QJsonObject, theirs);
    QFETCH(QJsonObject, expected);
    TokenCache cache;
    QVERIFY(cache.deserialize(bytes(ours)).ok());
    const quint64 before = cache.generation();
    const auto merged = cache.merge(base.isEmpty() ? QByteArray() : bytes(base),
                                    theirs.isEmpty() ? QByteArray() : bytes(theirs));
    QVERIFY(merged);
    QCOMPARE(contents(cache), withKnownSections(expected));
    QCOMPARE(QJsonDocument::fromJson(merged.value().json.reveal()).object(), withKnownSections(expected));
    QCOMPARE(merged.value().generation, cache.generation());
    const bool changed = withKnownSections(expected) != withKnownSections(ours);
    QCOMPARE(merged.value().changed, changed);
    QCOMPARE(cache.generation() != before, changed);
}

void TestTokenCache::mergeOfTokensFromAnotherProcess()
{
    TokenCache stored; // what both processes loaded
    fillTwoAccounts(stored);
    const QByteArray base = stored.serialize();

    TokenCache ours; // this process signs in a third account and refreshes kHome's ARM token
    QVERIFY(ours.deserialize(base).ok());
    EntrySpec third;
    third.home = QStringLiteral("uid3.utid");
    ours.add(entry(third));
    EntrySpec refreshed;
    refreshed.family = QStringLiteral("1");
    refreshed.tag = QStringLiteral("ours");
    ours.add(entry(refreshed));

    TokenCache other; // the other process signs out kOtherHome and refreshes kHome's ARM token too
    QVERIFY(other.deserialize(base).ok());
    QVERIFY(other.removeAccountEntries(kOtherHome));
    refreshed.tag = QStringLiteral("theirs");
    other.add(entry(refreshed));

    const auto merged = ours.merge(base, other.serialize());
    QVERIFY(merged);
    QVERIFY(merged.value().changed);
    QVERIFY(!merged.value().matchesTheirs);
    QVERIFY(ours.findAccessToken(QStringLiteral("uid3.utid"), kEnv, kClient, kRealm, {kArm}, kNow));
    QVERIFY(!ours.findRefreshToken(kOtherHome, kEnv, kThirdClient));
    const auto at = ours.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow);
    QVERIFY(at);
    QVERIFY(at->secret.revealString().endsWith(QStringLiteral("|ours")));
    QCOMPARE(merged.value().json.reveal(), ours.serialize());
}

void TestTokenCache::mergeOfWhatIsAlreadyStoredChangesNothing()
{
    TokenCache cache;
    fillTwoAccounts(cache);
    const QByteArray stored = cache.serialize();
    const quint64 generation = cache.generation();
    const auto merged = cache.merge(stored, stored);
    QVERIFY(merged);
    QVERIFY(!merged.value().changed);
    QVERIFY(merged.value().matchesTheirs);
    QCOMPARE(merged.value().generation, generation);
    QCOMPARE(cache.generation(), generation);
    QCOMPARE(merged.value().json.reveal(), stored);
}

void TestTokenCache::mergeErrorsLeaveCacheUnchanged_data()
{
    QTest::addColumn<QByteArray>("base");
    QTest::addColumn<QByteArray>("theirs");
    QTest::addColumn<QString>("message");
    QTest::newRow("theirs not JSON") << QByteArray() << QByteArray("{\"AccessToken\":") << "not valid JSON";
    QTest::newRow("theirs an array") << QByteArray() << QByteArray("[]") << "not a JSON object";
    QTest::newRow("base not JSON") << QByteArray("nope") << QByteArray("{}") << "not valid JSON";
    QTest::newRow("theirs' section not an object") << QByteArray() << QByteArray(R"({"RefreshToken":"x"})")
                                                   << "\"RefreshToken\" section is not a JSON object";
}

void TestTokenCache::mergeErrorsLeaveCacheUnchanged()
{
    QFETCH(QByteArray, base);
    QFETCH(QByteArray, theirs);
    QFETCH(QString, message);
    TokenCache cache;
    fillTwoAccounts(cache);
    const QByteArray before = cache.serialize();
    const quint64 generation = cache.generation();
    // A base in which the section was as ours has it: the merge takes theirs' value, which is no section.
    const auto merged =
        cache.merge(base.isEmpty() && theirs.contains("RefreshToken") ? before : base, theirs);
    QVERIFY(!merged);
    QVERIFY2(merged.error().message.contains(message), qPrintable(merged.error().message));
    QCOMPARE(cache.generation(), generation);
    QCOMPARE(cache.serialize(), before);
}

void TestTokenCache::addMissingEntries()
{
    TokenCache cache;
    EntrySpec mine;
    mine.tag = QStringLiteral("mine");
    cache.add(entry(mine));

    TokenCache other;
    EntrySpec same = mine;
    same.tag = QStringLiteral("other");
    other.add(entry(same));
    EntrySpec more;
    more.home = kOtherHome;
    other.add(entry(more));
    QJsonObject otherJson = contents(other);
    otherJson.insert(QStringLiteral("X"), QJsonObject{{QStringLiteral("y"), 1}});

    QVERIFY(cache.addMissingEntries(bytes(otherJson)).ok());
    const auto at = cache.findAccessToken(kHome, kEnv, kClient, kRealm, {kArm}, kNow);
    QVERIFY(at);
    QVERIFY(at->secret.revealString().endsWith(QStringLiteral("|mine")));
    QVERIFY(cache.findRefreshToken(kOtherHome, kEnv, kClient));
    QCOMPARE(contents(cache).value(QStringLiteral("X")).toObject(), (QJsonObject{{QStringLiteral("y"), 1}}));

    const QByteArray before = cache.serialize();
    const quint64 generation = cache.generation();
    const VoidResult failed = cache.addMissingEntries("[{}]");
    QVERIFY(!failed);
    QVERIFY(failed.error().message.contains(QStringLiteral("not a JSON object")));
    QVERIFY(!cache.addMissingEntries("not json"));
    QCOMPARE(cache.generation(), generation);
    QCOMPARE(cache.serialize(), before);
    QVERIFY(cache.addMissingEntries(before).ok());
    QCOMPARE(cache.generation(), generation); // nothing new: no change
}

void TestTokenCache::validate_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty object") << QByteArray("{}") << true;
    QTest::newRow("a cache") << QByteArray(R"({"AccessToken":{},"X":1})") << true;
    QTest::newRow("nothing") << QByteArray() << false;
    QTest::newRow("an array") << QByteArray("[{}]") << false;
    QTest::newRow("truncated") << QByteArray("{\"AccessToken\":{") << false;
}

void TestTokenCache::validate()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    const VoidResult result = TokenCache::validate(json);
    QCOMPARE(result.ok(), valid);
    if (!valid)
        QVERIFY(result.error().message.startsWith(QStringLiteral("The token cache is not")));
}

void TestTokenCache::tenThousandAccounts()
{
    TokenCache cache;
    constexpr int count = 10000;
    for (int i = 0; i < count; ++i) {
        EntrySpec spec;
        spec.home = QStringLiteral("uid%1.utid").arg(i);
        spec.refreshToken = (i % 10 == 0);
        spec.idToken = false;
        spec.account = false;
        cache.add(entry(spec));
    }
    QCOMPARE(cache.accessTokenCount(), count);
    for (int i : {0, 1, 4567, 9998, 9999}) {
        EntrySpec spec;
        spec.home = QStringLiteral("uid%1.utid").arg(i);
        const auto token = cache.findAccessToken(spec.home, kEnv, kClient, kRealm, {kArm}, kNow);
        QVERIFY2(token, qPrintable(spec.home));
        QCOMPARE(token->secret.revealString(), secretFor("at", spec));
        QCOMPARE(token->homeAccountId, spec.home);
    }
    QVERIFY(!cache.findAccessToken(QStringLiteral("uid10000.utid"), kEnv, kClient, kRealm, {kArm}, kNow));
    QCOMPARE(cache.findRefreshToken(QStringLiteral("uid5000.utid"), kEnv, kClient)->homeAccountId,
             QStringLiteral("uid5000.utid"));
    QVERIFY(!cache.findRefreshToken(QStringLiteral("uid5001.utid"), kEnv, kClient));

    cache.removeAccount(QStringLiteral("uid4567.utid"), kEnv, kClient);
    QCOMPARE(cache.accessTokenCount(), count - 1);
    QVERIFY(!cache.findAccessToken(QStringLiteral("uid4567.utid"), kEnv, kClient, kRealm, {kArm}, kNow));
    QVERIFY(cache.findAccessToken(QStringLiteral("uid4568.utid"), kEnv, kClient, kRealm, {kArm}, kNow));

    TokenCache loaded;
    QVERIFY(loaded.deserialize(cache.serialize()).ok());
    QCOMPARE(loaded.accessTokenCount(), count - 1);
    EntrySpec last;
    last.home = QStringLiteral("uid9999.utid");
    QCOMPARE(loaded.findAccessToken(last.home, kEnv, kClient, kRealm, {kArm}, kNow)->secret.revealString(),
             secretFor("at", last));
}

void TestTokenCache::concurrentUse()
{
    TokenCache cache;
    constexpr int threads = 4;
    constexpr int perThread = 300;
    std::vector<std::thread> workers;
    std::atomic<int> misses{0};
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&cache, &misses, t]() {
            for (int i = 0; i < perThread; ++i) {
                EntrySpec spec;
                spec.home = QStringLiteral("t%1-%2.utid").arg(t).arg(i);
                cache.add(entry(spec));
                const auto token = cache.findAccessToken(spec.home, kEnv, kClient, kRealm, {kArm}, kNow);
                if (!token || token->secret.revealString() != secretFor("at", spec))
                    ++misses;
                if (i % 50 == 0)
                    cache.serialize();
            }
        });
    }
    for (std::thread &worker : workers)
        worker.join();
    QCOMPARE(misses.load(), 0);
    QCOMPARE(cache.accessTokenCount(), threads * perThread);
    QCOMPARE(cache.accounts().size(), threads * perThread);
}

QTEST_GUILESS_MAIN(TestTokenCache)
#include "tst_tokencache.moc"
