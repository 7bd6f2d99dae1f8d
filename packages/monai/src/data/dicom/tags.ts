// Tags copied into `meta`: MONAI's PydicomReader uses the DICOM JSON model (keys like '00200037' with
// { vr, Value }); MONAI's ITKReader uses ITK's 'gggg|eeee' keys with string values.

/** [tag (gggg,eeee as 8 hex digits), VR, keyword] of the tags kept when metadata is not pruned. */
export const SELECTED_TAGS: [string, string, string][] = [
  ['00080008', 'CS', 'ImageType'],
  ['00080016', 'UI', 'SOPClassUID'],
  ['00080018', 'UI', 'SOPInstanceUID'],
  ['00080020', 'DA', 'StudyDate'],
  ['00080021', 'DA', 'SeriesDate'],
  ['00080030', 'TM', 'StudyTime'],
  ['00080060', 'CS', 'Modality'],
  ['00080070', 'LO', 'Manufacturer'],
  ['0008103E', 'LO', 'SeriesDescription'],
  ['00100010', 'PN', 'PatientName'],
  ['00100020', 'LO', 'PatientID'],
  ['00180050', 'DS', 'SliceThickness'],
  ['00180088', 'DS', 'SpacingBetweenSlices'],
  ['0020000D', 'UI', 'StudyInstanceUID'],
  ['0020000E', 'UI', 'SeriesInstanceUID'],
  ['00200011', 'IS', 'SeriesNumber'],
  ['00200013', 'IS', 'InstanceNumber'],
  ['00200032', 'DS', 'ImagePositionPatient'],
  ['00200037', 'DS', 'ImageOrientationPatient'],
  ['00200052', 'UI', 'FrameOfReferenceUID'],
  ['00280002', 'US', 'SamplesPerPixel'],
  ['00280004', 'CS', 'PhotometricInterpretation'],
  ['00280008', 'IS', 'NumberOfFrames'],
  ['00280010', 'US', 'Rows'],
  ['00280011', 'US', 'Columns'],
  ['00280030', 'DS', 'PixelSpacing'],
  ['00280100', 'US', 'BitsAllocated'],
  ['00280101', 'US', 'BitsStored'],
  ['00280102', 'US', 'HighBit'],
  ['00280103', 'US', 'PixelRepresentation'],
  ['00281050', 'DS', 'WindowCenter'],
  ['00281051', 'DS', 'WindowWidth'],
  ['00281052', 'DS', 'RescaleIntercept'],
  ['00281053', 'DS', 'RescaleSlope'],
  ['00281054', 'LO', 'RescaleType'],
];

/** The tags MONAI's PydicomReader keeps when prune_metadata=True. */
export const PRUNED_TAGS = ['00200037', '00200032', '00280030'];
