#include <mpitray/core/object.hpp>

namespace mpitray {

const ByteView& Object::bytes() const {
    if (payload_.empty()) {
        auto buffer = std::make_shared<Buffer>();
        encode_into(*buffer);
        payload_ = ByteView(std::move(buffer));
    }
    return payload_;
}

void Object::encode_into(Buffer& out) const {
    if (!payload_.empty()) {
        append_view(out, payload_);
        return;
    }
    if (codec_ == nullptr)  // cannot happen: from_value looked the codec up
        throw SerializationError("object of type '" + type_ + "' has neither bytes nor a codec");
    codec_->encode(value_.get(), out);
}

std::string Object::summary() const {
    const TypeCodec* codec = TypeRegistry::instance().find(type_);
    if (codec == nullptr || !codec->summarize) return {};
    return codec->summarize(decode(*codec).get());
}

bool Object::columns(TableRow& row) const {
    const TypeCodec* codec = TypeRegistry::instance().find(type_);
    if (codec == nullptr || !codec->columns) return false;
    codec->columns(decode(*codec).get(), row);
    return true;
}

const std::shared_ptr<const void>& Object::decode(const TypeCodec& codec) const {
    if (!value_) value_ = codec.decode(payload_.span());
    return value_;
}

}  // namespace mpitray
