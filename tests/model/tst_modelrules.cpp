// The rules the tray app and azid-cli share through the account model: how a sign-in is built and
// stored, and how records go in and out.
#include "azid/devicecodecredential.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/model/records.h"
#include "azid/model/signin.h"
#include "azid/usernamepasswordcredential.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using namespace azid::model;

namespace {

AuthenticationRecord record(const QString &user, const QString &oid,
                            const QString &authority = QStringLiteral("login.microsoftonline.com"))
{
    AuthenticationRecord r;
    r.authority = authority;
    r.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    r.homeAccountId = oid + QStringLiteral(".72f988bf-86f1-41af-91ab-2d7cd011db47");
    r.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    r.username = user;
    return r;
}

StoredAccount stored(const AuthenticationRecord &r, bool isDefault,
                     const QString &method = QStringLiteral("browser"))
{
    AccountMetadata m;
    m.signInMethod = method;
    m.isDefault = isDefault;
    m.lastSignIn = 1000;
    return StoredAccount{r, m};
}

} // namespace

class TestModelRules : public QObject
{
    Q_OBJECT
private slots:
    void signInCredentialPerMethod()
    {
        const SignInContext context{
            {}, std::make_shared<TokenCache>(), std::make_shared<TokenCache>(), nullptr};
        SignInRequest request;
        request.method = SignInMethod::SystemBrowser;
        QVERIFY(
            dynamic_cast<InteractiveBrowserCredential *>(createSignInCredential(request, context, {}).get()));
        request.method = SignInMethod::EmbeddedBrowser;
        QVERIFY(
            dynamic_cast<InteractiveBrowserCredential *>(createSignInCredential(request, context, {}).get()));
        request.method = SignInMethod::DeviceCode;
        QVERIFY(dynamic_cast<DeviceCodeCredential *>(createSignInCredential(request, context, {}).get()));
        request.method = SignInMethod::UsernamePassword;
        request.username = QStringLiteral("alice@contoso.test");
        QVERIFY(
            dynamic_cast<UsernamePasswordCredential *>(createSignInCredential(request, context, {}).get()));
    }

    void firstSignInBecomesTheDefault()
    {
        SignInRequest request;
        request.method = SignInMethod::DeviceCode;
        request.shareWithAzureTools = true;
        const AccountMetadata m =
            metadataAfterSignIn(request, QStringLiteral("a.t"), {}, 4242, QStringLiteral("ca.pem"));
        QVERIFY(m.isDefault);
        QCOMPARE(m.signInMethod, QStringLiteral("device-code"));
        QCOMPARE(m.authorityUrl, QStringLiteral("login.microsoftonline.com"));
        QCOMPARE(m.lastSignIn, 4242);
        QCOMPARE(m.caBundle, QStringLiteral("ca.pem"));
        QVERIFY(m.shareWithAzureTools);
    }

    void anotherDefaultStaysUnlessAsked()
    {
        const AuthenticationRecord alice = record(QStringLiteral("alice@contoso.test"), QStringLiteral("a"));
        const AuthenticationRecord bob = record(QStringLiteral("bob@contoso.test"), QStringLiteral("b"));
        const QList<StoredAccount> existing{stored(alice, true), stored(bob, false)};
        SignInRequest request;
        QVERIFY(!metadataAfterSignIn(request, bob.homeAccountId, existing, 1, {}).isDefault);
        // The default signing in again stays the default.
        QVERIFY(metadataAfterSignIn(request, alice.homeAccountId, existing, 1, {}).isDefault);
        request.makeDefault = true;
        QVERIFY(metadataAfterSignIn(request, bob.homeAccountId, existing, 1, {}).isDefault);
    }

    void claimsChallengeInEitherForm()
    {
        const QString json = QStringLiteral(R"({"access_token":{"nbf":{"essential":true}}})");
        QCOMPARE(claimsFromChallenge(json), json);
        QCOMPARE(claimsFromChallenge(QString::fromLatin1(json.toUtf8().toBase64())), json);
        QCOMPARE(claimsFromChallenge(QString()), QString());
    }

    void accountCredentialNeverAsksByItself()
    {
        StoredAccount account =
            stored(record(QStringLiteral("alice@contoso.test"), QStringLiteral("a")), true);
        account.metadata.caBundle = QStringLiteral("account-ca.pem");
        account.metadata.disableInstanceDiscovery = true;
        SignInContext context;
        InteractiveBrowserCredentialOptions o = accountCredentialOptions(account, context);
        QVERIFY(o.disableAutomaticAuthentication);
        QVERIFY(o.disableInstanceDiscovery);
        QCOMPARE(o.additionallyAllowedTenants, QStringList{QStringLiteral("*")});
        QCOMPARE(o.authenticationRecord->homeAccountId, account.record.homeAccountId);
        QCOMPARE(o.http.caBundleFile, QStringLiteral("account-ca.pem"));
        context.http.caBundleFile = QStringLiteral("given.pem");
        QCOMPARE(accountCredentialOptions(account, context).http.caBundleFile, QStringLiteral("given.pem"));
    }

    void recordsRoundTrip()
    {
        const QList<AuthenticationRecord> two{
            record(QStringLiteral("alice@contoso.test"), QStringLiteral("a")),
            record(QStringLiteral("bob@contoso.test"), QStringLiteral("b"))};
        const QByteArray one = serializeRecords({two.first()});
        QVERIFY(QJsonDocument::fromJson(one).isObject());
        QVERIFY(QJsonDocument::fromJson(serializeRecords({two.first()}, RecordsShape::Array)).isArray());
        const QByteArray both = serializeRecords(two);
        QCOMPARE(QJsonDocument::fromJson(both).array().size(), 2);

        const auto parsedOne = parseRecords(one);
        QVERIFY(parsedOne.ok());
        QCOMPARE(parsedOne.value().size(), 1);
        QCOMPARE(parsedOne.value().first().username, QStringLiteral("alice@contoso.test"));
        const auto parsedBoth = parseRecords(both);
        QVERIFY(parsedBoth.ok());
        QCOMPARE(parsedBoth.value().size(), 2);
        QCOMPARE(parsedBoth.value().last().homeAccountId, two.last().homeAccountId);
    }

    void badRecordsSayWhy()
    {
        const auto notJson = parseRecords("not json");
        QVERIFY(!notJson.ok());
        QVERIFY2(notJson.error().message.contains(QStringLiteral("AuthenticationRecord")),
                 qPrintable(notJson.error().message));
        QVERIFY(!parseRecords("42").ok());
        QVERIFY(!parseRecords(R"({"username": "x"})").ok());
        // One bad record in an array spoils the import: nothing half-done.
        const QByteArray mixed = "[" +
                                 record(QStringLiteral("a@b.c"), QStringLiteral("a")).serialize().toUtf8() +
                                 R"(, {"username": "x"}])";
        QVERIFY(!parseRecords(mixed).ok());
    }

    void importKeepsWhatAnAccountKnows()
    {
        const AuthenticationRecord alice = record(QStringLiteral("alice@contoso.test"), QStringLiteral("a"));
        StoredAccount known = stored(alice, true, QStringLiteral("device-code"));
        known.metadata.shareWithAzureTools = true;
        QCOMPARE(metadataForImport(alice, {known}, {}), known.metadata);

        const AuthenticationRecord bob = record(QStringLiteral("bob@contoso.test"), QStringLiteral("b"));
        const AccountMetadata fresh =
            metadataForImport(bob, {known}, ImportSettings{QStringLiteral("ca.pem"), false, {}});
        QCOMPARE(fresh.signInMethod, QStringLiteral("imported"));
        QCOMPARE(fresh.authorityUrl, bob.authority);
        QCOMPARE(fresh.caBundle, QStringLiteral("ca.pem"));
        QVERIFY(!fresh.isDefault);
        QVERIFY(!fresh.disableInstanceDiscovery);
    }

    // An imported record may name any authority. Instance discovery (Microsoft validating the authority)
    // stays on for one that is not a Microsoft cloud until the person confirms that authority.
    void importKeepsInstanceDiscoveryForUnconfirmedAuthorities()
    {
        const AuthenticationRecord custom = record(QStringLiteral("carol@contoso.test"), QStringLiteral("c"),
                                                   QStringLiteral("https://evil.example:8443"));
        QVERIFY(!metadataForImport(custom, {}, {}).disableInstanceDiscovery);
        ImportSettings confirmedOther;
        confirmedOther.confirmedAuthorities = {QStringLiteral("other.example:8443")};
        QVERIFY(!metadataForImport(custom, {}, confirmedOther).disableInstanceDiscovery);
        ImportSettings confirmed;
        confirmed.confirmedAuthorities = {QStringLiteral("evil.example:8443")};
        QVERIFY(metadataForImport(custom, {}, confirmed).disableInstanceDiscovery);
        // azid-cli --disable-instance-discovery: the person said so for the whole import.
        QVERIFY(metadataForImport(custom, {}, ImportSettings{{}, true, {}}).disableInstanceDiscovery);
        // A Microsoft cloud is validated by discovery anyway; confirming changes nothing there.
        const AuthenticationRecord alice = record(QStringLiteral("alice@contoso.test"), QStringLiteral("a"));
        ImportSettings microsoft;
        microsoft.confirmedAuthorities = {QStringLiteral("login.microsoftonline.com")};
        QVERIFY(!metadataForImport(alice, {}, microsoft).disableInstanceDiscovery);
        // An account already here that moves to an unconfirmed authority loses its confirmation.
        StoredAccount known = stored(record(QStringLiteral("carol@contoso.test"), QStringLiteral("c"),
                                            QStringLiteral("https://good.example")),
                                     false, QStringLiteral("browser"));
        known.metadata.disableInstanceDiscovery = true;
        const AccountMetadata moved = metadataForImport(custom, {known}, {});
        QVERIFY(!moved.disableInstanceDiscovery);
        QCOMPARE(moved.authorityUrl, custom.authority);
        QCOMPARE(moved.signInMethod, QStringLiteral("browser"));
    }

    void importPlanSaysWhatIsAlreadyPresent()
    {
        const AuthenticationRecord alice = record(QStringLiteral("alice@contoso.test"), QStringLiteral("a"));
        AuthenticationRecord aliceRenamed = alice;
        aliceRenamed.username = QStringLiteral("alice.smith@contoso.test");
        const AuthenticationRecord bob = record(QStringLiteral("bob@contoso.test"), QStringLiteral("b"),
                                                QStringLiteral("https://idp.example"));
        const AuthenticationRecord carol =
            record(QStringLiteral("carol@contoso.test"), QStringLiteral("c"), QStringLiteral("idp.example"));
        const StoredAccount aliceHere = stored(alice, true, QStringLiteral("password"));

        const ImportPlan same = planImport({alice}, {aliceHere});
        QCOMPARE(same.present, QList<AuthenticationRecord>{alice});
        QVERIFY(same.added.isEmpty());
        QVERIFY(same.replacing.isEmpty());

        const ImportPlan mixed = planImport({aliceRenamed, bob, carol}, {aliceHere});
        QVERIFY(mixed.present.isEmpty());
        QCOMPARE(mixed.replacing, QList<AuthenticationRecord>{aliceRenamed});
        QCOMPARE(mixed.added, (QList<AuthenticationRecord>{bob, carol}));
        // Each authority once, as host[:port].
        QCOMPARE(mixed.customAuthorities, QStringList{QStringLiteral("idp.example")});
    }

    void exportedFileIsTheOwnersAlone()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("records.json"));
        QVERIFY(writeRecordsFile(path, {record(QStringLiteral("a@b.c"), QStringLiteral("a"))}).ok());
        QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup),
                 QFileDevice::Permissions());
        QVERIFY(parseRecords([&] {
                    QFile f(path);
                    f.open(QIODevice::ReadOnly);
                    return f.readAll();
                }())
                    .ok());
        const VoidResult unwritable =
            writeRecordsFile(dir.filePath(QStringLiteral("missing/records.json")), {});
        QVERIFY(!unwritable.ok());
        QVERIFY(unwritable.error().message.contains(QStringLiteral("Cannot write")));
    }
};

QTEST_GUILESS_MAIN(TestModelRules)
#include "tst_modelrules.moc"
