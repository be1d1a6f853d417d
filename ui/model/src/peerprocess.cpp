#include "peerprocess.h"

#include <QDir>
#include <QFile>
#include <QtEndian>

#include <cstring>

#ifdef Q_OS_LINUX
#include <unistd.h>
#endif

namespace azid::model::detail {

namespace {

QByteArray hexWord(const quint8 *bytes)
{
    quint32 word = 0;
    std::memcpy(&word, bytes, sizeof word); // the kernel prints the word as the machine holds it
    return QByteArray::number(word, 16).toUpper().rightJustified(8, '0');
}

// The forms a connection's end may take in /proc: an IPv4-mapped IPv6 address is IPv4 for an
// IPv4 socket and mapped for an IPv6 one.
QList<QHostAddress> addressForms(const QHostAddress &address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    if (isIpv4 && address.protocol() == QAbstractSocket::IPv6Protocol)
        return {QHostAddress(ipv4), address};
    if (isIpv4)
        return {address, QHostAddress(QStringLiteral("::ffff:") + address.toString())};
    return {address};
}

#ifdef Q_OS_LINUX
QByteArray readLink(const QByteArray &path)
{
    char target[256];
    const ssize_t length = ::readlink(path.constData(), target, sizeof target - 1);
    return length > 0 ? QByteArray(target, int(length)) : QByteArray();
}

// The inode of the socket whose ends are `peerEnd` and `ourEnd` in one of /proc/net/tcp{,6}.
QByteArray socketInode(const QList<QByteArray> &peerEnds, const QList<QByteArray> &ourEnds)
{
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (const QByteArray &line : lines) {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() > 9 && peerEnds.contains(fields[1]) && ourEnds.contains(fields[2]))
                return fields[9];
        }
    }
    return {};
}

PeerProcess processHolding(const QByteArray &inode)
{
    const QByteArray wanted = "socket:[" + inode + ']';
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool isPid = false;
        const qint64 number = pid.toLongLong(&isPid);
        if (!isPid)
            continue;
        const QString fdDir = QStringLiteral("/proc/%1/fd").arg(pid);
        const QStringList fds = QDir(fdDir).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
        for (const QString &fd : fds) {
            if (readLink(QFile::encodeName(fdDir + QLatin1Char('/') + fd)) != wanted)
                continue;
            PeerProcess process{number, QFile::decodeName(readLink(
                                            QFile::encodeName(QStringLiteral("/proc/%1/exe").arg(pid))))};
            if (process.program.isEmpty()) {
                QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
                if (comm.open(QIODevice::ReadOnly))
                    process.program = QString::fromUtf8(comm.readAll().trimmed());
            }
            return process;
        }
    }
    return {};
}
#endif

} // namespace

QByteArray procNetAddress(const QHostAddress &address, quint16 port)
{
    QByteArray text;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 ipv4 = qToBigEndian(address.toIPv4Address());
        text = hexWord(reinterpret_cast<const quint8 *>(&ipv4));
    } else {
        const Q_IPV6ADDR ipv6 = address.toIPv6Address();
        for (int word = 0; word < 4; ++word)
            text += hexWord(ipv6.c + word * 4);
    }
    return text + ':' + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
}

PeerProcess findPeerProcess(const QHostAddress &peer, quint16 peerPort, const QHostAddress &local,
                            quint16 localPort)
{
#ifdef Q_OS_LINUX
    QList<QByteArray> peerEnds;
    for (const QHostAddress &form : addressForms(peer))
        peerEnds << procNetAddress(form, peerPort);
    QList<QByteArray> ourEnds;
    for (const QHostAddress &form : addressForms(local))
        ourEnds << procNetAddress(form, localPort);
    const QByteArray inode = socketInode(peerEnds, ourEnds);
    if (inode.isEmpty() || inode == "0")
        return {};
    return processHolding(inode);
#else
    Q_UNUSED(peer);
    Q_UNUSED(peerPort);
    Q_UNUSED(local);
    Q_UNUSED(localPort);
    return {};
#endif
}

} // namespace azid::model::detail
