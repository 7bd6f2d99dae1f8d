// Encodes raw little-endian samples as a lossless HTJ2K codestream with OpenJPH (the
// @cornerstonejs/codec-openjph encoder). Used by make_goldens.py to build the HTJ2K fixture,
// since pydicom cannot write HTJ2K. Usage: node encode_htj2k.cjs in.raw out.j2c width height bits signed(0|1)
const fs = require('fs');
const path = require('path');
const dir = path.dirname(require.resolve('@cornerstonejs/codec-openjph'));
const factory = require(path.join(dir, 'openjphjs.js'));
const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'openjphjs.wasm')));
const m = {
  instantiateWasm(imports, receive) {
    const inst = new WebAssembly.Instance(wasm, imports);
    receive(inst, wasm);
    return inst.exports;
  },
};
factory(m);
const [input, output, width, height, bits, signed] = process.argv.slice(2);
const raw = fs.readFileSync(input);
const enc = new m.HTJ2KEncoder();
enc.getDecodedBuffer({ width: +width, height: +height, bitsPerSample: +bits, componentCount: 1, isSigned: signed === '1', isUsingColorTransform: false }).set(raw);
enc.setQuality(true, 0);
enc.encode();
fs.writeFileSync(output, Buffer.from(enc.getEncodedBuffer()));
enc.delete();
