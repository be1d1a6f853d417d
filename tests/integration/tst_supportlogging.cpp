// enable_support_logging: who signed in (user name, tenant id) reaches the log only when the option is
// on, as azure.identity's option of that name says; without it the log says only that someone did.

#include "azid/tokencache.h"
#include "azid/usernamepasswordcredential.h"

#include "credentialtesting.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "sandbox.h"
#include "secretsseen.h"

#include <QLoggingCategory>
#include <QtTest>

using namespace azid;
using namespace azid::test;

class TestSupportLogging : public QObject
{
    Q_OBJECT

private:
    Sandbox m_sandbox;
    FakeClock m_clock;
    SecretsSeen m_secretsSeen;

    QStringList signInAndLog(bool supportLogging)
    {
        auto o = m_sandbox.credentialOptions<UsernamePasswordCredentialOptions>(&m_clock);
        o.username = QStringLiteral("alice@contoso.test");
        o.password = Secret::fromString(QStringLiteral("alice-password-1"));
        o.enableSupportLogging = supportLogging;
        const qsizetype before = LogCapture::messages().size();
        UsernamePasswordCredential credential(o);
        const TokenResult result = m_secretsSeen.getToken(
            credential, tokenRequest({QStringLiteral("https://management.azure.com/.default")}));
        if (!result.ok())
            qWarning("sign-in failed: %s", qPrintable(describe(result)));
        return LogCapture::messages().mid(before);
    }

private slots:
    void initTestCase()
    {
        LogCapture::install();
        // Every message of the library, debug included, so that nothing personal hides below the level.
        QLoggingCategory::setFilterRules(QStringLiteral("azid.*=true"));
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
    }

    void withoutSupportLoggingNoUserOrTenant()
    {
        const QStringList log = signInAndLog(false);
        QVERIFY2(!log.filter(QStringLiteral("signed in")).isEmpty(), qPrintable(log.join(QLatin1Char('\n'))));
        for (const QString &personal : {QStringLiteral("alice@contoso.test"), QStringLiteral("in tenant")})
            QVERIFY2(log.filter(personal).isEmpty(),
                     qPrintable(log.filter(personal).join(QLatin1Char('\n'))));
    }

    void withSupportLoggingWhoSignedIn()
    {
        const QStringList log = signInAndLog(true);
        const QStringList line = log.filter(QStringLiteral("signed in as alice@contoso.test in tenant "));
        QVERIFY2(line.size() == 1, qPrintable(log.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestSupportLogging)
#include "tst_supportlogging.moc"
