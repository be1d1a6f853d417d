#pragma once

#include <QHostAddress>
#include <QString>

namespace azid::model::detail {

// The program at the other end of a local TCP connection.
struct PeerProcess
{
    qint64 pid = 0; // 0: not found
    QString program;
};

// Best effort, Linux only: the connection's socket in /proc/net/tcp or tcp6 (its local end is the
// peer's address and port, its remote end ours), then the process holding that socket's inode among
// /proc/*/fd. Finds only what the kernel lets this user read (its own processes); nothing otherwise.
PeerProcess findPeerProcess(const QHostAddress &peer, quint16 peerPort, const QHostAddress &local,
                            quint16 localPort);

// An address and port as /proc/net/tcp{,6} print them: each 32-bit word of the address in the
// machine's byte order, in hexadecimal, then the port ("0100007F:1F90" on x86 for 127.0.0.1:8080).
QByteArray procNetAddress(const QHostAddress &address, quint16 port);

} // namespace azid::model::detail
