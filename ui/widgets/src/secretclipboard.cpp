#include "azid/ui/secretclipboard.h"

#include "azid/secret.h"
#include "uilogging.h"

#include <QClipboard>
#include <QCryptographicHash>
#include <QMimeData>

#include <algorithm>

namespace azid::ui {

SystemClearTimer::SystemClearTimer(QObject *parent) : ClearTimer(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ClearTimer::timeout);
}

void SystemClearTimer::start(std::chrono::milliseconds delay)
{
    m_timer.start(delay);
}

void SystemClearTimer::stop()
{
    m_timer.stop();
}

bool SystemClearTimer::isActive() const
{
    return m_timer.isActive();
}

SecretClipboard::SecretClipboard(QClipboard *clipboard, std::unique_ptr<ClearTimer> timer, QObject *parent)
    : QObject(parent), m_clipboard(clipboard),
      m_timer(timer ? std::move(timer) : std::make_unique<SystemClearTimer>())
{
    connect(m_timer.get(), &ClearTimer::timeout, this, &SecretClipboard::onTimeout);
}

SecretClipboard::~SecretClipboard()
{
    clearNow();
}

QMimeData *SecretClipboard::secretMimeData(const QString &text)
{
    auto *data = new QMimeData;
    data->setText(text);
#if defined(Q_OS_MACOS)
    data->setData(QStringLiteral("application/x-nspasteboard-concealed-type"), text.toUtf8());
#elif defined(Q_OS_WIN)
    // DWORD 0: not in the clipboard history (Win+V), not synced to the cloud clipboard, and ignored
    // by clipboard monitors.
    const QByteArray zero(4, '\0');
    data->setData(QStringLiteral(
                      "application/x-qt-windows-mime;value=\"ExcludeClipboardContentFromMonitorProcessing\""),
                  zero);
    data->setData(QStringLiteral("application/x-qt-windows-mime;value=\"CanIncludeInClipboardHistory\""),
                  zero);
    data->setData(QStringLiteral("application/x-qt-windows-mime;value=\"CanUploadToCloudClipboard\""), zero);
#endif
    data->setData(QString::fromLatin1(PasswordManagerHint), QByteArrayLiteral("secret"));
    return data;
}

bool SecretClipboard::isMarkedSecret(const QMimeData *data)
{
    return data && data->data(QString::fromLatin1(PasswordManagerHint)) == QByteArrayLiteral("secret");
}

void SecretClipboard::copySecret(const QString &text, std::chrono::milliseconds clearAfter)
{
    if (!m_clipboard) {
        qCWarning(lcUi) << "no clipboard to copy to";
        return;
    }
    m_timer->stop();
    // Not the selection (middle-click paste): a token there is too easy to paste by accident.
    m_clipboard->setMimeData(secretMimeData(text), QClipboard::Clipboard);
    QByteArray bytes = text.toUtf8();
    m_copiedHash = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    scrub(bytes);
    if (clearAfter.count() > 0) {
        m_timer->start(clearAfter);
        m_clearAt = QDeadlineTimer(clearAfter);
    }
    emit copied();
}

QByteArray SecretClipboard::currentHash() const
{
    if (!m_clipboard)
        return {};
    QByteArray bytes = m_clipboard->text(QClipboard::Clipboard).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    scrub(bytes);
    return hash;
}

bool SecretClipboard::holdsSecret() const
{
    return !m_copiedHash.isEmpty() && currentHash() == m_copiedHash;
}

bool SecretClipboard::clearPending() const
{
    return m_timer->isActive();
}

std::chrono::milliseconds SecretClipboard::clearsIn() const
{
    if (!clearPending())
        return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::max<qint64>(0, m_clearAt.remainingTime()));
}

void SecretClipboard::clearNow()
{
    m_timer->stop();
    if (m_copiedHash.isEmpty())
        return;
    const bool ours = holdsSecret();
    m_copiedHash.clear();
    if (ours && m_clipboard) {
        m_clipboard->clear(QClipboard::Clipboard);
        emit cleared();
    }
}

void SecretClipboard::onTimeout()
{
    clearNow();
}

} // namespace azid::ui
