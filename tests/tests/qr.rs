//! QR codes from the CLI, decoded by an independent decoder (rqrr) from the PNG written.

use keyward_tests::{Cli, Keyring};
use std::path::Path;

fn decode(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("PNG written");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one symbol");
    grids[0].decode().expect("decodes").1
}

#[test]
fn qr_encode_writes_a_png_that_decodes_to_the_text() {
    let cli = Cli::new(Keyring::no_bus());
    let out = cli.scratch().join("addr.png");
    let text = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
    let r = cli.json(&[
        "qr",
        "encode",
        text,
        "--format",
        "png",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        r["ecLevel"], "H",
        "a short payload gets the strongest level: {r}"
    );
    assert_eq!(decode(&out), text);

    // From a file, and the limit has its own code (a QR code needs no vault nor keychain).
    let long = cli.scratch().join("long.txt");
    std::fs::write(&long, "z".repeat(1500)).unwrap();
    let r = cli.json(&[
        "qr",
        "encode",
        "--file",
        long.to_str().unwrap(),
        "--format",
        "png",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r["ecLevel"], "L", "{r}");
    assert_eq!(decode(&out), "z".repeat(1500));
    std::fs::write(&long, "z".repeat(3000)).unwrap();
    cli.json_err(
        &["qr", "encode", "--file", long.to_str().unwrap()],
        "qr.too_long",
        1,
    );
}

#[test]
fn key_qr_carries_the_public_key() {
    let cli = Cli::new(Keyring::unlocked());
    cli.init();
    let id = cli.gen("shown")["id"].as_str().unwrap().to_string();
    let out = cli.scratch().join("key.png");
    cli.json(&[
        "key",
        "qr",
        &id,
        "--format",
        "png",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(decode(&out), cli.export(&id, "pem"));
    let term = cli.run(&["key", "qr", "shown"]);
    assert!(term.status.success());
    assert!(String::from_utf8_lossy(&term.stdout).contains('▀'));
}
