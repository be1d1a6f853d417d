// AuthenticationRecord::deserialize, and a record import file (one record or an array of them, as
// AccountService::importRecords splits it): whatever deserializes serializes back to the same record.

#include "azid/authenticationrecord.h"
#include "fuzzing.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace azid;

namespace {
void roundTrip(const QString &json)
{
    const auto record = AuthenticationRecord::deserialize(json);
    if (!record.ok()) {
        AZID_FUZZ_CHECK(!record.error().message.isEmpty());
        return;
    }
    const auto again = AuthenticationRecord::deserialize(record.value().serialize());
    AZID_FUZZ_CHECK(again.ok() && again.value() == record.value());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    roundTrip(QString::fromUtf8(input));

    const QJsonDocument document = QJsonDocument::fromJson(input);
    if (document.isArray()) {
        for (const QJsonValue &value : document.array())
            roundTrip(QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    }
    return 0;
}
