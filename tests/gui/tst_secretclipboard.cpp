// Copied tokens are marked as secrets for clipboard managers and cleared after the delay (and on
// quit) only if the clipboard still holds them. The timer is the test's own: no waiting.
#include "azid/model/appsettings.h"
#include "azid/ui/secretclipboard.h"

#include <QApplication>
#include <QClipboard>
#include <QMimeData>
#include <QSignalSpy>
#include <QtTest>

using namespace azid::model;
using namespace azid::ui;

namespace {

class ManualTimer final : public ClearTimer
{
public:
    void start(std::chrono::milliseconds delay) override
    {
        m_active = true;
        m_delay = delay;
    }
    void stop() override { m_active = false; }
    bool isActive() const override { return m_active; }
    void fire()
    {
        m_active = false;
        emit timeout();
    }
    std::chrono::milliseconds delay() const { return m_delay; }

private:
    bool m_active = false;
    std::chrono::milliseconds m_delay{0};
};

const QString Token = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl");

} // namespace

class TestSecretClipboard : public QObject
{
    Q_OBJECT

private:
    ManualTimer *m_timer = nullptr;
    std::unique_ptr<SecretClipboard> m_secret;

    QClipboard *clipboard() const { return QApplication::clipboard(); }

private slots:
    void init()
    {
        clipboard()->clear();
        auto timer = std::make_unique<ManualTimer>();
        m_timer = timer.get();
        m_secret = std::make_unique<SecretClipboard>(clipboard(), std::move(timer));
    }

    void cleanup() { m_secret.reset(); }

    void copiedTextIsMarkedSecret()
    {
        m_secret->copySecret(Token, std::chrono::seconds(60));
        QCOMPARE(clipboard()->text(), Token);
        const QMimeData *data = clipboard()->mimeData();
        QVERIFY(data);
        QVERIFY(data->formats().contains(QStringLiteral("x-kde-passwordManagerHint")));
        QCOMPARE(data->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
        QVERIFY(SecretClipboard::isMarkedSecret(data));
        QVERIFY(m_secret->holdsSecret());
        // Not on the primary selection, where a middle click would paste it by accident.
        if (clipboard()->supportsSelection())
            QVERIFY(clipboard()->text(QClipboard::Selection) != Token);
    }

    void clearedWhenTheDelayEnds()
    {
        QSignalSpy cleared(m_secret.get(), &SecretClipboard::cleared);
        m_secret->copySecret(Token, std::chrono::seconds(60));
        QVERIFY(m_timer->isActive());
        QCOMPARE(m_timer->delay(), std::chrono::milliseconds(60000));
        QVERIFY(m_secret->clearPending());
        m_timer->fire();
        QVERIFY(clipboard()->text().isEmpty());
        QCOMPARE(cleared.count(), 1);
        QVERIFY(!m_secret->holdsSecret());
    }

    void somethingCopiedSinceIsLeftAlone()
    {
        QSignalSpy cleared(m_secret.get(), &SecretClipboard::cleared);
        m_secret->copySecret(Token, std::chrono::seconds(60));
        clipboard()->setText(QStringLiteral("the user's own text"));
        m_timer->fire();
        QCOMPARE(clipboard()->text(), QStringLiteral("the user's own text"));
        QCOMPARE(cleared.count(), 0);
    }

    void clearNowOnQuit()
    {
        m_secret->copySecret(Token, std::chrono::seconds(60));
        m_secret->clearNow();
        QVERIFY(clipboard()->text().isEmpty());
        QVERIFY(!m_timer->isActive());
        // Idempotent, and harmless once the clipboard changed.
        clipboard()->setText(QStringLiteral("later"));
        m_secret->clearNow();
        QCOMPARE(clipboard()->text(), QStringLiteral("later"));
    }

    void destroyingClearsLikeQuitting()
    {
        m_secret->copySecret(Token, std::chrono::seconds(60));
        m_secret.reset();
        QVERIFY(clipboard()->text().isEmpty());
    }

    void zeroDelayNeverClears()
    {
        m_secret->copySecret(Token, std::chrono::seconds(0));
        QVERIFY(!m_timer->isActive());
        QCOMPARE(clipboard()->text(), Token);
    }

    void aSecondCopyRestartsTheDelay()
    {
        m_secret->copySecret(Token, std::chrono::seconds(60));
        const QString other = QStringLiteral("Authorization: Bearer ") + Token;
        m_secret->copySecret(other, std::chrono::seconds(5));
        QCOMPARE(m_timer->delay(), std::chrono::milliseconds(5000));
        m_timer->fire();
        QVERIFY(clipboard()->text().isEmpty());
    }

    void theRealTimerClearsToo()
    {
        SecretClipboard secret(clipboard());
        secret.copySecret(Token, std::chrono::milliseconds(50));
        QCOMPARE(clipboard()->text(), Token);
        QTRY_VERIFY(clipboard()->text().isEmpty());
    }

    void tokenFormats()
    {
        QCOMPARE(formatToken(Token, TokenFormat::Raw), Token);
        QCOMPARE(formatToken(Token, TokenFormat::BearerHeader),
                 QStringLiteral("Authorization: Bearer ") + Token);
    }
};

QTEST_MAIN(TestSecretClipboard)
#include "tst_secretclipboard.moc"
