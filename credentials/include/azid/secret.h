#pragma once

#include <QByteArray>
#include <QString>

namespace azid {

// Holds a token, code, password or key. It never converts to a string implicitly, prints itself as
// "<redacted: N bytes>" and overwrites its bytes when it is destroyed or reassigned.
class Secret
{
public:
    Secret() = default;
    explicit Secret(QByteArray bytes) : m_bytes(std::move(bytes)) {}
    static Secret fromString(const QString &text) { return Secret(text.toUtf8()); }
    Secret(const Secret &other) = default;
    Secret(Secret &&other) noexcept : m_bytes(std::move(other.m_bytes)) {}
    Secret &operator=(const Secret &other);
    Secret &operator=(Secret &&other) noexcept;
    ~Secret();

    bool isEmpty() const { return m_bytes.isEmpty(); }
    qsizetype size() const { return m_bytes.size(); }
    // Explicit exposure: every call site that reveals a secret says so.
    const QByteArray &reveal() const { return m_bytes; }
    QString revealString() const { return QString::fromUtf8(m_bytes); }
    QString redacted() const;
    void clear();

    friend bool operator==(const Secret &a, const Secret &b);

private:
    QByteArray m_bytes;
};

// Overwrites the bytes of a buffer in a way the compiler may not elide.
void scrub(QByteArray &bytes);
void scrub(QString &text);

} // namespace azid
