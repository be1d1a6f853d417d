// Authority hosts as users give them, tenant ids, and azure.identity's tenant resolution rule.

#include "authority.h"
#include "azid/authorityhosts.h"
#include "interactiverequest.h"

#include <QTest>

using namespace azid;
using namespace azid::detail;

namespace {

// Sets or unsets an environment variable for the life of the object, then restores it.
class EnvironmentVariable
{
public:
    EnvironmentVariable(const char *name, const QByteArray &value)
        : m_name(name), m_wasSet(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name))
    {
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~EnvironmentVariable()
    {
        if (m_wasSet)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    EnvironmentVariable(const EnvironmentVariable &) = delete;
    EnvironmentVariable &operator=(const EnvironmentVariable &) = delete;

private:
    const char *m_name;
    bool m_wasSet;
    QByteArray m_old;
};

} // namespace

class TestAuthority : public QObject
{
    Q_OBJECT

private slots:
    void parseAccepts_data();
    void parseAccepts();
    void parseRefuses_data();
    void parseRefuses();
    void knownMicrosoftHosts_data();
    void knownMicrosoftHosts();
    void defaultHost();
    void tenantIds_data();
    void tenantIds();
    void resolveTenant_data();
    void resolveTenant();
    void regionalHosts_data();
    void regionalHosts();
    void regions_data();
    void regions();
    void knownAuthoritiesNames();
};

void TestAuthority::parseAccepts_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("environment");

    QTest::newRow("bare host") << QStringLiteral("login.microsoftonline.com")
                               << QStringLiteral("https://login.microsoftonline.com")
                               << QStringLiteral("login.microsoftonline.com");
    QTest::newRow("government") << QStringLiteral("login.microsoftonline.us")
                                << QStringLiteral("https://login.microsoftonline.us")
                                << QStringLiteral("login.microsoftonline.us");
    QTest::newRow("https url") << QStringLiteral("https://login.chinacloudapi.cn")
                               << QStringLiteral("https://login.chinacloudapi.cn")
                               << QStringLiteral("login.chinacloudapi.cn");
    QTest::newRow("trailing slash") << QStringLiteral("https://login.microsoftonline.com/")
                                    << QStringLiteral("https://login.microsoftonline.com")
                                    << QStringLiteral("login.microsoftonline.com");
    QTest::newRow("several trailing slashes")
        << QStringLiteral("login.microsoftonline.com//")
        << QStringLiteral("https://login.microsoftonline.com") << QStringLiteral("login.microsoftonline.com");
    QTest::newRow("port") << QStringLiteral("https://login.example.org:8443")
                          << QStringLiteral("https://login.example.org:8443")
                          << QStringLiteral("login.example.org"); // MSAL's environment: the host alone
    QTest::newRow("bare host and port")
        << QStringLiteral("127.0.0.1:44321") << QStringLiteral("https://127.0.0.1:44321")
        << QStringLiteral("127.0.0.1");
    QTest::newRow("port and slash") << QStringLiteral("https://localhost:8443/")
                                    << QStringLiteral("https://localhost:8443")
                                    << QStringLiteral("localhost");
    QTest::newRow("upper case") << QStringLiteral("HTTPS://Login.MicrosoftOnline.COM")
                                << QStringLiteral("https://login.microsoftonline.com")
                                << QStringLiteral("login.microsoftonline.com");
    QTest::newRow("surrounding spaces")
        << QStringLiteral("  login.microsoftonline.com \n")
        << QStringLiteral("https://login.microsoftonline.com") << QStringLiteral("login.microsoftonline.com");
}

void TestAuthority::parseAccepts()
{
    QFETCH(QString, input);
    QFETCH(QString, base);
    QFETCH(QString, environment);
    const auto host = AuthorityHost::parse(input);
    QVERIFY2(host.ok(), qPrintable(host.ok() ? QString() : host.error().message));
    QCOMPARE(host.value().base.toString(), base);
    QCOMPARE(host.value().environment, environment);
    QVERIFY(host.value().base.path().isEmpty());
    QCOMPARE(host.value().base.scheme(), QStringLiteral("https"));
}

void TestAuthority::parseRefuses_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("messageContains");

    const QString tls = QStringLiteral("TLS protected (https)");
    QTest::newRow("http") << QStringLiteral("http://login.microsoftonline.com") << tls;
    QTest::newRow("http with port") << QStringLiteral("http://localhost:8080") << tls;
    QTest::newRow("ftp") << QStringLiteral("ftp://login.microsoftonline.com") << tls;
    QTest::newRow("tenant path") << QStringLiteral(
                                        "https://login.microsoftonline.com/contoso.onmicrosoft.com")
                                 << QStringLiteral("has a path");
    QTest::newRow("bare host with path")
        << QStringLiteral("login.microsoftonline.com/organizations/v2.0") << QStringLiteral("has a path");
    QTest::newRow("query") << QStringLiteral("https://login.microsoftonline.com?x=1")
                           << QStringLiteral("authority");
    QTest::newRow("empty") << QString() << QStringLiteral("No authority");
    QTest::newRow("blank") << QStringLiteral("   ") << QStringLiteral("No authority");
    QTest::newRow("only slashes") << QStringLiteral("///") << QStringLiteral("authority");
    QTest::newRow("spaces inside") << QStringLiteral("login microsoftonline com")
                                   << QStringLiteral("not a valid authority");
    // Nothing after the scheme: not a host named "https" (or "http").
    QTest::newRow("https scheme only") << QStringLiteral("https://") << QStringLiteral("authority");
    QTest::newRow("https scheme and slash") << QStringLiteral("https:///") << QStringLiteral("authority");
    QTest::newRow("http scheme only") << QStringLiteral("http://") << QStringLiteral("authority");
    QTest::newRow("bad port") << QStringLiteral("https://login.example.org:port")
                              << QStringLiteral("not a valid authority");
}

void TestAuthority::parseRefuses()
{
    QFETCH(QString, input);
    QFETCH(QString, messageContains);
    const auto host = AuthorityHost::parse(input);
    QVERIFY(!host.ok());
    QCOMPARE(host.error().kind, ErrorKind::CredentialUnavailable);
    QVERIFY2(host.error().message.contains(messageContains), qPrintable(host.error().message));
}

void TestAuthority::knownMicrosoftHosts_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("known");
    QTest::newRow("public") << QStringLiteral("login.microsoftonline.com") << true;
    QTest::newRow("government") << QStringLiteral("https://login.microsoftonline.us") << true;
    QTest::newRow("china") << QStringLiteral("login.chinacloudapi.cn") << true;
    QTest::newRow("us alias") << QStringLiteral("login-us.microsoftonline.com") << true;
    QTest::newRow("upper case") << QStringLiteral("LOGIN.MICROSOFTONLINE.COM") << true;
    QTest::newRow("with a port") << QStringLiteral("https://login.microsoftonline.com:8443") << false;
    QTest::newRow("look-alike") << QStringLiteral("login.microsoftonline.com.example.org") << false;
    QTest::newRow("subdomain") << QStringLiteral("evil.login.microsoftonline.com") << false;
    QTest::newRow("local") << QStringLiteral("localhost:8443") << false;
}

void TestAuthority::knownMicrosoftHosts()
{
    QFETCH(QString, input);
    QFETCH(bool, known);
    const auto host = AuthorityHost::parse(input);
    QVERIFY(host.ok());
    QCOMPARE(host.value().isKnownMicrosoftHost(), known);
}

void TestAuthority::defaultHost()
{
    {
        EnvironmentVariable unset("AZURE_AUTHORITY_HOST", QByteArray());
        QCOMPARE(AuthorityHost::defaultHost(), QStringLiteral("login.microsoftonline.com"));
    }
    {
        EnvironmentVariable set("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us");
        QCOMPARE(AuthorityHost::defaultHost(), QStringLiteral("https://login.microsoftonline.us"));
    }
}

void TestAuthority::tenantIds_data()
{
    QTest::addColumn<QString>("tenant");
    QTest::addColumn<bool>("valid");

    QTest::newRow("guid") << QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47") << true;
    QTest::newRow("upper-case guid") << QStringLiteral("72F988BF-86F1-41AF-91AB-2D7CD011DB47") << true;
    QTest::newRow("domain") << QStringLiteral("contoso.onmicrosoft.com") << true;
    QTest::newRow("organizations") << QStringLiteral("organizations") << true;
    QTest::newRow("common") << QStringLiteral("common") << true;
    QTest::newRow("consumers") << QStringLiteral("consumers") << true;
    QTest::newRow("adfs") << QStringLiteral("adfs") << true;
    QTest::newRow("digits") << QStringLiteral("0123456789") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("slash") << QStringLiteral("contoso/oauth2") << false;
    QTest::newRow("path traversal") << QStringLiteral("../common") << false;
    QTest::newRow("space") << QStringLiteral("contoso tenant") << false;
    QTest::newRow("question mark") << QStringLiteral("contoso?x=1") << false;
    QTest::newRow("hash") << QStringLiteral("contoso#x") << false;
    QTest::newRow("percent") << QStringLiteral("contoso%2F") << false;
    QTest::newRow("at sign") << QStringLiteral("user@contoso.com") << false;
    QTest::newRow("underscore") << QStringLiteral("con_toso") << false;
    QTest::newRow("colon") << QStringLiteral("host:443") << false;
    QTest::newRow("newline") << QStringLiteral("contoso\n") << false;
    QTest::newRow("accented") << QStringLiteral("m\u00fcller.example") << false;
    QTest::newRow("cyrillic look-alike") << QStringLiteral("\u0441ontoso") << false;
    QTest::newRow("fullwidth digit") << QStringLiteral("\uff11") << false;
}

void TestAuthority::tenantIds()
{
    QFETCH(QString, tenant);
    QFETCH(bool, valid);
    QCOMPARE(isValidTenantId(tenant), valid);
}

void TestAuthority::resolveTenant_data()
{
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QByteArray>("disableMultiTenant"); // null: unset
    QTest::addColumn<QString>("tenant");                // expected; empty when an error is expected
    QTest::addColumn<QString>("errorContains");

    const QString home = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    const QString other = QStringLiteral("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    const QStringList none;

    QTest::newRow("nothing requested") << home << QString() << none << QByteArray() << home << QString();
    QTest::newRow("same tenant") << home << home << none << QByteArray() << home << QString();
    QTest::newRow("not allowed") << home << other << none << QByteArray() << QString()
                                 << QStringLiteral("additionally_allowed_tenants");
    QTest::newRow("other tenant allowed")
        << home << other << QStringList{QStringLiteral("contoso.com"), other} << QByteArray() << other
        << QString();
    QTest::newRow("wildcard") << home << other << QStringList{QStringLiteral("*")} << QByteArray() << other
                              << QString();
    QTest::newRow("allowed list without it")
        << home << other << QStringList{QStringLiteral("contoso.com")} << QByteArray() << QString()
        << QStringLiteral("additionally_allowed_tenants");
    // The reference's rule 5 (azure.identity 1.25): "organizations" without an allow-list follows the
    // request; with one, the list decides.
    QTest::newRow("organizations to a tenant")
        << QStringLiteral("organizations") << other << none << QByteArray() << other << QString();
    QTest::newRow("organizations with a list without it")
        << QStringLiteral("organizations") << other << QStringList{QStringLiteral("contoso.com")}
        << QByteArray() << QString() << QStringLiteral("tenant ") + other;
    QTest::newRow("adfs keeps its tenant")
        << QStringLiteral("adfs") << other << none << QByteArray() << QStringLiteral("adfs") << QString();
    QTest::newRow("multi-tenant disabled")
        << home << other << none << QByteArray("true") << home << QString();
    QTest::newRow("multi-tenant disabled beats wildcard")
        << home << other << QStringList{QStringLiteral("*")} << QByteArray("1") << home << QString();
    QTest::newRow("empty variable does not disable") << home << other << none << QByteArray("") << QString()
                                                     << QStringLiteral("additionally_allowed_tenants");
    QTest::newRow("invalid requested tenant")
        << home << QStringLiteral("evil/../common") << QStringList{QStringLiteral("*")} << QByteArray()
        << QString() << QStringLiteral("Invalid tenant ID");
}

void TestAuthority::resolveTenant()
{
    QFETCH(QString, configured);
    QFETCH(QString, requested);
    QFETCH(QStringList, allowed);
    QFETCH(QByteArray, disableMultiTenant);
    QFETCH(QString, tenant);
    QFETCH(QString, errorContains);

    EnvironmentVariable variable("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", disableMultiTenant);
    const TenantChoice choice = detail::resolveTenant(configured, requested, allowed);
    if (errorContains.isEmpty()) {
        QVERIFY2(choice.error.isEmpty(), qPrintable(choice.error));
        QCOMPARE(choice.tenant, tenant);
    } else {
        QVERIFY(choice.tenant.isEmpty());
        QVERIFY2(choice.error.contains(errorContains), qPrintable(choice.error));
        if (errorContains == QStringLiteral("additionally_allowed_tenants"))
            QVERIFY2(choice.error.contains(requested), qPrintable(choice.error));
    }
}

// AZURE_REGIONAL_AUTHORITY_NAME: MSAL's regional hosts.
void TestAuthority::regionalHosts_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("regional");
    QTest::newRow("public cloud") << QStringLiteral("login.microsoftonline.com")
                                  << QStringLiteral("westus2.login.microsoft.com");
    QTest::newRow("public cloud, other case")
        << QStringLiteral("Login.MicrosoftOnline.com") << QStringLiteral("westus2.login.microsoft.com");
    QTest::newRow("login.microsoft.com")
        << QStringLiteral("login.microsoft.com") << QStringLiteral("westus2.login.microsoft.com");
    QTest::newRow("login.windows.net")
        << QStringLiteral("login.windows.net") << QStringLiteral("westus2.login.microsoft.com");
    QTest::newRow("sts.windows.net") << QStringLiteral("sts.windows.net")
                                     << QStringLiteral("westus2.login.microsoft.com");
    QTest::newRow("US government") << QStringLiteral("login.microsoftonline.us")
                                   << QStringLiteral("westus2.login.microsoftonline.us");
    QTest::newRow("China") << QStringLiteral("login.chinacloudapi.cn")
                           << QStringLiteral("westus2.login.chinacloudapi.cn");
    QTest::newRow("any other") << QStringLiteral("login.example.org")
                               << QStringLiteral("westus2.login.example.org");
}

void TestAuthority::regionalHosts()
{
    QFETCH(QString, host);
    QFETCH(QString, regional);
    QCOMPARE(regionalHost(host, QStringLiteral("westus2")), regional);
}

void TestAuthority::regions_data()
{
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QString>("regionName"); // REGION_NAME
    QTest::addColumn<QString>("region");     // expected; empty: the global endpoint
    QTest::addColumn<bool>("problem");
    QTest::newRow("unset") << QString() << QStringLiteral("westus") << QString() << false;
    QTest::newRow("a region") << QStringLiteral("eastus2") << QString() << QStringLiteral("eastus2") << false;
    QTest::newRow("a region, other case and spaces")
        << QStringLiteral(" EastUS2 ") << QString() << QStringLiteral("eastus2") << false;
    QTest::newRow("auto-detect from REGION_NAME")
        << QStringLiteral("TryAutoDetect") << QStringLiteral("West US 2") << QStringLiteral("westus2")
        << false;
    QTest::newRow("true auto-detects")
        << QStringLiteral("true") << QStringLiteral("centralus") << QStringLiteral("centralus") << false;
    QTest::newRow("auto-detect, nothing found")
        << QStringLiteral("tryautodetect") << QString() << QString() << false;
    QTest::newRow("disabled") << QStringLiteral("DisableRegion") << QStringLiteral("westus") << QString()
                              << false;
    QTest::newRow("false") << QStringLiteral("false") << QString() << QString() << false;
    QTest::newRow("not a region") << QStringLiteral("west us/../evil") << QString() << QString() << true;
    QTest::newRow("a host is not a region")
        << QStringLiteral("westus.login.microsoft.com") << QString() << QString() << true;
}

void TestAuthority::regions()
{
    QFETCH(QString, configured);
    QFETCH(QString, regionName);
    QFETCH(QString, region);
    QFETCH(bool, problem);
    const Result<QString> resolved = resolveRegion(configured, regionName);
    QCOMPARE(!resolved.ok(), problem);
    QCOMPARE(resolved.ok() ? resolved.value() : QString(), region);
    if (problem)
        QVERIFY(resolved.error().message.contains(configured));
}

void TestAuthority::knownAuthoritiesNames()
{
    QCOMPARE(KnownAuthorities::AzurePublicCloud, QStringLiteral("login.microsoftonline.com"));
    QCOMPARE(KnownAuthorities::AzureGovernment, QStringLiteral("login.microsoftonline.us"));
    QCOMPARE(KnownAuthorities::AzureChina, QStringLiteral("login.chinacloudapi.cn"));
    QCOMPARE(&KnownAuthorities::AzureChina, &AzureAuthorityHosts::AzureChina);
}

QTEST_GUILESS_MAIN(TestAuthority)
#include "tst_authority.moc"
