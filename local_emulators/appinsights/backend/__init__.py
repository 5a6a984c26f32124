"""The pure part of the App Insights emulator: body decoding, envelope validation, storage, run trees."""
