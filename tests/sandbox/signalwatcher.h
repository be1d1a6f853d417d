#pragma once

#include <QObject>

class QSocketNotifier;

namespace azid::sandbox {

// Turns SIGINT/SIGTERM into a Qt signal via a self-pipe, so shutdown runs in the event loop
// (temporary state directory removed, sockets closed) instead of inside a signal handler.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    static void handleSignal(int signalNumber);

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace azid::sandbox
