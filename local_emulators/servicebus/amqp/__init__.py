"""A small, type-preserving AMQP 1.0 codec: types, encoder/decoder, frames and performatives."""
