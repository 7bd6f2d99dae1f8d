// Reads an image the way MONAI's ITKReader does (itk.imread) and prints what ITK gives as JSON:
// ImageIO component/pixel type, size, origin, spacing, direction, the meta-data dictionary's string
// entries and every sample (as double, in ITK's buffer order: x fastest, then y, z, with the components
// of a pixel together).
//
//   itk_golden <file>        ImageFileReader (the ImageIO is chosen by ITK's factory, as imread does)
//   itk_golden <directory>   GDCMSeriesFileNames (UseSeriesDetails, restriction 0008|0021, first series)
//                            then ImageSeriesReader over its file list, or ImageFileReader for one file
//
// Pixel type and dimension as itk.imread chooses them: the ImageIO's component type (scalar, or a
// VectorImage for RGB and other multi-component pixels) and number of dimensions, plus one for a series
// whose files' last dimension is not 1. Reading with the first file's component type matters: in a series,
// every slice is cast to it (what Python gets). Samples are printed as doubles (exact for all these types).
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "itkGDCMSeriesFileNames.h"
#include "itkImageFileReader.h"
#include "itkImageIOFactory.h"
#include "itkImageSeriesReader.h"
#include "itkMetaDataObject.h"
#include "itkVectorImage.h"
#include "itksys/SystemTools.hxx"

namespace {

std::string jsonString(const std::string & s) {
  std::ostringstream o;
  o << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o << '\\' << c;
    else if (c < 0x20 || c >= 0x7f) o << "\\u" << std::hex << std::setw(4) << std::setfill('0') << int(c) << std::dec;
    else o << c;
  }
  o << '"';
  return o.str();
}

std::string num(double v) {
  std::ostringstream o;
  o << std::setprecision(17) << v;
  return o.str();
}

// `io` is the ImageIO that read the first file's information: the one whose types itk.imread uses (after
// a series read, the reader's own ImageIO describes the last slice instead).
template <typename TImage>
void printImage(TImage * img, itk::ImageIOBase * io, const std::vector<std::string> & files) {
  constexpr unsigned D = TImage::ImageDimension;
  const auto region = img->GetLargestPossibleRegion();
  const auto size = region.GetSize();
  std::cout << "{\n  \"files\": [";
  for (size_t i = 0; i < files.size(); ++i) std::cout << (i ? ", " : "") << jsonString(itksys::SystemTools::GetFilenameName(files[i]));
  std::cout << "],\n  \"imageIO\": " << jsonString(io->GetNameOfClass())
            << ",\n  \"componentType\": " << jsonString(itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()))
            << ",\n  \"pixelType\": " << jsonString(itk::ImageIOBase::GetPixelTypeAsString(io->GetPixelType()))
            << ",\n  \"components\": " << img->GetNumberOfComponentsPerPixel() << ",\n  \"dimension\": " << D << ",\n  \"size\": [";
  for (unsigned d = 0; d < D; ++d) std::cout << (d ? ", " : "") << size[d];
  std::cout << "],\n  \"origin\": [";
  for (unsigned d = 0; d < D; ++d) std::cout << (d ? ", " : "") << num(img->GetOrigin()[d]);
  std::cout << "],\n  \"spacing\": [";
  for (unsigned d = 0; d < D; ++d) std::cout << (d ? ", " : "") << num(img->GetSpacing()[d]);
  std::cout << "],\n  \"direction\": [";
  for (unsigned r = 0; r < D; ++r) {
    std::cout << (r ? ", " : "") << "[";
    for (unsigned c = 0; c < D; ++c) std::cout << (c ? ", " : "") << num(img->GetDirection()[r][c]);
    std::cout << "]";
  }
  std::cout << "],\n  \"meta\": {";
  const auto & dict = img->GetMetaDataDictionary();
  bool first = true;
  for (const auto & key : dict.GetKeys()) {
    std::string value;
    if (key.rfind("ITK_", 0) == 0 || !itk::ExposeMetaData<std::string>(dict, key, value)) continue;
    std::cout << (first ? "" : ",") << "\n    " << jsonString(key) << ": " << jsonString(value);
    first = false;
  }
  std::cout << "\n  },\n  \"values\": [";
  const size_t n = region.GetNumberOfPixels() * img->GetNumberOfComponentsPerPixel();
  using T = typename itk::NumericTraits<typename TImage::PixelType>::ValueType;
  const T * buf = reinterpret_cast<const T *>(img->GetBufferPointer());
  for (size_t i = 0; i < n; ++i) std::cout << (i ? (i % 16 ? "," : ",\n    ") : "") << num(static_cast<double>(buf[i]));
  std::cout << "]\n}\n";
}

template <unsigned D, typename TImage>
int readAs(const std::vector<std::string> & files, bool series, itk::ImageIOBase * first) {
  itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(files[0].c_str(), itk::CommonEnums::IOFileMode::ReadMode);
  typename TImage::Pointer img;
  if (series) {
    auto reader = itk::ImageSeriesReader<TImage>::New();
    reader->SetImageIO(io);
    reader->SetFileNames(files);
    reader->Update();
    img = reader->GetOutput();
  } else {
    auto reader = itk::ImageFileReader<TImage>::New();
    reader->SetImageIO(io);
    reader->SetFileName(files[0]);
    reader->Update();
    img = reader->GetOutput();
  }
  printImage<TImage>(img.GetPointer(), first, files);
  return 0;
}

template <unsigned D, typename T>
int readPixel(const std::vector<std::string> & files, bool series, bool vector, itk::ImageIOBase * first) {
  if (vector) return readAs<D, itk::VectorImage<T, D>>(files, series, first);
  return readAs<D, itk::Image<T, D>>(files, series, first);
}

template <unsigned D>
int readDim(const std::vector<std::string> & files, bool series, bool vector, itk::ImageIOBase * first) {
  using C = itk::IOComponentEnum;
  const auto t = first->GetComponentType();
  switch (t) {
    case C::UCHAR: return readPixel<D, unsigned char>(files, series, vector, first);
    case C::CHAR: return readPixel<D, signed char>(files, series, vector, first);
    case C::USHORT: return readPixel<D, unsigned short>(files, series, vector, first);
    case C::SHORT: return readPixel<D, short>(files, series, vector, first);
    case C::UINT: return readPixel<D, unsigned int>(files, series, vector, first);
    case C::INT: return readPixel<D, int>(files, series, vector, first);
    case C::FLOAT: return readPixel<D, float>(files, series, vector, first);
    case C::DOUBLE: return readPixel<D, double>(files, series, vector, first);
    default: throw std::runtime_error("unsupported component type " + itk::ImageIOBase::GetComponentTypeAsString(t));
  }
}

}  // namespace

int main(int argc, char ** argv) {
  if (argc != 2) {
    std::cerr << "usage: itk_golden <file-or-dicom-folder>\n";
    return 2;
  }
  const std::string path = argv[1];
  std::vector<std::string> files;
  bool series = false;
  try {
    if (itksys::SystemTools::FileIsDirectory(path)) {
      auto names = itk::GDCMSeriesFileNames::New();
      names->SetUseSeriesDetails(true);
      names->AddSeriesRestriction("0008|0021");
      names->SetDirectory(path);
      const auto & uids = names->GetSeriesUIDs();
      if (uids.empty()) throw std::runtime_error("no DICOM series in " + path);
      files = names->GetFileNames(uids[0]);
      series = files.size() > 1;
    } else {
      files.push_back(path);
    }
    itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(files[0].c_str(), itk::CommonEnums::IOFileMode::ReadMode);
    if (!io) throw std::runtime_error("no ImageIO reads " + files[0]);
    io->SetFileName(files[0]);
    io->ReadImageInformation();
    unsigned dim = io->GetNumberOfDimensions();
    if (series && io->GetDimensions(dim - 1) != 1) ++dim;  // itk.imread's rule for a list of files
    const bool vector = io->GetNumberOfComponents() > 1;
    switch (dim) {
      case 2: return readDim<2>(files, series, vector, io.GetPointer());
      case 3: return readDim<3>(files, series, vector, io.GetPointer());
      default: throw std::runtime_error("unsupported dimension " + std::to_string(dim));
    }
  } catch (const std::exception & e) {
    std::cerr << "itk_golden: " << e.what() << "\n";
    return 1;
  }
}
