//! A struct's fields written into a Tera context under the names its `Serialize` gives them,
//! with no map in between: the week part once a week, each story's own part per story.

use serde::Serialize;
use serde::ser::{Error as _, Impossible, SerializeStruct, Serializer};
use tera::Context;

/// Why a value could not be written as fields: it was not a struct, or a field did not
/// convert.
#[derive(Debug)]
pub(super) struct NotAStruct(String);

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAStruct {}

impl serde::ser::Error for NotAStruct {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotAStruct(msg.to_string())
    }
}

/// Writes each field of `value`, a struct, into `context` (over what is there).
pub(super) fn write_fields<T: Serialize + ?Sized>(
    value: &T,
    context: &mut Context,
) -> Result<(), NotAStruct> {
    value.serialize(Writer(context))
}

struct Writer<'c>(&'c mut Context);

impl SerializeStruct for Writer<'_> {
    type Ok = ();
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        let value = tera::Value::try_from_serializable(value)
            .map_err(|e| NotAStruct(format!("{key}: {e}")))?;
        self.0.insert_value(key, value);
        Ok(())
    }

    fn end(self) -> Result<(), NotAStruct> {
        Ok(())
    }
}

/// Everything but a struct is refused.
macro_rules! refuse {
    ($($name:ident($($ty:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $ty),*) -> Result<(), NotAStruct> {
            Err(NotAStruct::custom("a story part must serialise as a struct"))
        })*
    };
}

impl<'c> Serializer for Writer<'c> {
    type Ok = ();
    type Error = NotAStruct;
    type SerializeSeq = Impossible<(), NotAStruct>;
    type SerializeTuple = Impossible<(), NotAStruct>;
    type SerializeTupleStruct = Impossible<(), NotAStruct>;
    type SerializeTupleVariant = Impossible<(), NotAStruct>;
    type SerializeMap = Impossible<(), NotAStruct>;
    type SerializeStruct = Writer<'c>;
    type SerializeStructVariant = Impossible<(), NotAStruct>;

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAStruct> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAStruct> {
        Err(NotAStruct::custom(
            "a story part must serialise as a struct",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_struct_s_fields_land_under_their_names_and_anything_else_is_refused() {
        #[derive(Serialize)]
        struct Part {
            a: u8,
            b: &'static str,
        }
        let mut context = Context::new();
        context.insert("b", "old");
        write_fields(&Part { a: 1, b: "new" }, &mut context).unwrap();
        let mut expected = Context::new();
        expected.insert("a", &1u8);
        expected.insert("b", "new");
        assert_eq!(context, expected);
        assert!(write_fields(&[1, 2], &mut Context::new()).is_err());
    }
}
