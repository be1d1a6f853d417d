#include "fuzzing.h"

// libFuzzer calls this once, before the first input: Qt's messages are dropped (fatal ones abort,
// so that libFuzzer keeps the input).
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
            std::abort();
        }
    });
    return 0;
}
